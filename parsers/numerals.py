"""Chinese numerals to integers: `cn_to_int`.

Reads the numerals that number policy documents and date their signatures: 一…九 with the units
十 百 千 万 亿 (二十一, 一百零三, 两万五), the positional form of years (二〇二六), 〇 / 零, 两, the
financial forms (壹 贰 … 拾 佰 仟), and ASCII or full-width digit strings. Anything that is not
one well-formed numeral gives None, never an exception.
"""

from __future__ import annotations

# Digit characters and their values. 〇 and 零 are both zero (〇 in positional years, 零 as the
# gap marker of 一百零三); 两 is 2 before a unit (两百, 两万); the financial forms 壹…玖 appear in
# amounts and some scanned documents. ○ (U+25CB, a circle) stands in for 〇 in many web pages.
DIGITS: dict[str, int] = {
    "〇": 0, "○": 0, "零": 0,
    "一": 1, "壹": 1,
    "二": 2, "两": 2, "贰": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip

# Units below 万: a section (< 10000) is read with these.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

# Units that split a numeral into sections, largest first: 三亿零五万 = 3·10⁸ + 5·10⁴.
BIG_UNITS: tuple[tuple[str, int], ...] = (("亿", 100_000_000), ("万", 10_000))

# ASCII and full-width digits: "１２" and "12" are both 12.
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

# Characters a numeral may be surrounded by in extracted text (indent, no-break and ideographic spaces).
_SPACE = " \t\r\n\u00a0\u3000\u2003"


def cn_to_int(s: str) -> int | None:
    """The integer a Chinese (or Arabic) numeral stands for, or None if `s` is not one numeral.

    >>> cn_to_int("二十一"), cn_to_int("一百零三"), cn_to_int("十一"), cn_to_int("二〇二六")
    (21, 103, 11, 2026)
    >>> cn_to_int("两万五"), cn_to_int("１２"), cn_to_int("第三") is None
    (25000, 12, True)
    """
    if not isinstance(s, str):
        return None
    if s.isascii() and s.isdigit():
        return int(s)  # the usual case (a date's 8 and 18): nothing to strip or translate
    s = s.strip(_SPACE).translate(_FULLWIDTH)
    if not s:
        return None
    if s.isascii():
        return int(s) if s.isdigit() else None
    return _read(s, 0)


def _read(s: str, big_index: int) -> int | None:
    """Read `s`, splitting it at the big unit BIG_UNITS[big_index] and below."""
    if big_index == len(BIG_UNITS):
        return _section(s)
    char, unit = BIG_UNITS[big_index]
    if char not in s:
        return _read(s, big_index + 1)
    high_text, _, low_text = s.partition(char)
    high = _read(high_text, big_index + 1)
    if not high or char in low_text:
        return None  # 万 with nothing (or zero) before it, or 万 twice
    if not low_text:
        return high * unit
    if low_text[0] in "零〇○":
        low = _read(low_text[1:], big_index + 1)
        return None if low is None or low == 0 else high * unit + low
    if len(low_text) == 1 and low_text in DIGITS:
        # Colloquial abbreviation: 两万五 is 25000, the bare digit counting the next unit down.
        return high * unit + DIGITS[low_text] * unit // 10
    low = _read(low_text, big_index + 1)
    return None if low is None else high * unit + low


def _section(s: str) -> int | None:
    """A numeral below 10000: 三千零五, 二十一, 十一, 一百一 (= 110), or a positional 二〇二六."""
    if not s:
        return None
    if all(ch in DIGITS for ch in s):
        # No units: one digit, or digits read positionally as in years (二〇二六) and ids.
        if len(s) > 1 and (s[0] == "零" or any(ch == "两" for ch in s)):
            return None
        value = 0
        for ch in s:
            value = value * 10 + DIGITS[ch]
        return value
    total = 0
    pending: int | None = None  # a digit waiting for its unit
    last_unit = 10_000  # units must decrease: 一百二十, never 一十百
    after_zero = False  # a 零 was seen since the last unit: the next digit is not a unit-down abbreviation
    for i, ch in enumerate(s):
        if ch in DIGITS:
            digit = DIGITS[ch]
            if digit == 0:
                if pending is not None or total == 0 or after_zero:
                    return None  # 零 must follow a unit and stand alone: 一百零三
                after_zero = True
                continue
            if pending is not None:
                return None  # two digits in a row inside a unit numeral
            pending = digit
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_unit:
                return None
            if pending is None:
                # A bare 十 counts one ten at the start (十一) or after 零 (一千零十); other units need a digit.
                if unit != 10 or not (i == 0 or after_zero):
                    return None
                pending = 1
            total += pending * unit
            last_unit, pending, after_zero = unit, None, False
        else:
            return None
    if pending is not None:
        if after_zero or last_unit == 10:
            total += pending
        else:
            # 一百一 is 110, 三千五 is 3500: a trailing digit after a unit counts the next unit down.
            total += pending * last_unit // 10
    return total
