"""发文字号 and order numbers of the NDRC: find them, normalise them, split them, cut them off titles.

Normal forms (what `doc_number` holds in the document JSON):
- a 文号: ``发改开放〔2022〕408号`` (prefix 发改{司} or 发改办{司}, optional 规 suffix; brackets 〔〕, no spaces);
- an order (令): ``国家发展改革委令2026年第41号``, or ``国家发展改革委令第41号`` when no year is known;
- an announcement (公告): ``国家发展改革委公告2023年第1号``.

Public functions: `normalize_doc_number`, `doc_number_line`, `find_doc_numbers`, `doc_number_parts`,
`strip_title_number`.
"""

from __future__ import annotations

import re

from parsers.model import DocNumberParts

# The agency name normal forms use for orders and announcements; the long name and the short one
# both appear in the wild (中华人民共和国国家发展和改革委员会令 / 国家发展改革委令).
AGENCY = "国家发展改革委"
ORDER_PREFIX = AGENCY + "令"
NOTICE_PREFIX = AGENCY + "公告"

# Opening and closing brackets seen around the year of a 文号: the standard 〔〕, and the stand-ins
# people type: [] 【】 （） () ［］ ﹝﹞ 〖〗. All normalise to 〔〕.
_OPEN = "\\[【（(〔［﹝〖"
_CLOSE = "\\]】）)〕］﹞〗"

# Whitespace that turns up inside a cited 文号: spaces, U+3000, no-break spaces, line breaks.
_WS = r"[\s\u00a0\u3000]*"

_DIGIT = "[0-9０-９]"
_NUM = f"{_DIGIT}(?:{_WS}{_DIGIT})*"  # a number possibly broken by a line break
_YEAR = f"{_DIGIT}(?:{_WS}{_DIGIT}){{3}}"
_HAN = "[\u4e00-\u9fff]"

# 发改{司}〔YYYY〕N号: up to 6 characters of office name (开放, 价格规, 办体改, …) after 发改.
_NDRC_NUMBER = (
    f"(?P<w_prefix>发{_WS}改(?:{_WS}{_HAN}){{0,6}}){_WS}[{_OPEN}]{_WS}(?P<w_year>{_YEAR}){_WS}[{_CLOSE}]"
    f"{_WS}(?P<w_serial>{_NUM}){_WS}号"
)
_AGENCY_NAME = f"国{_WS}家{_WS}发{_WS}展{_WS}(?:和{_WS})?改{_WS}革{_WS}委(?:{_WS}员{_WS}会)?"
# 国家发展改革委令2014年第7号, 中华人民共和国国家发展和改革委员会令\n第41号, …令（2014年第7号）.
_ORDER_NAMED = (
    f"(?:中华人民共和国{_WS})?{_AGENCY_NAME}{_WS}令{_WS}[（(]?{_WS}"
    f"(?:(?P<o_year>{_YEAR}){_WS}年{_WS})?第{_WS}(?P<o_serial>{_NUM}){_WS}号{_WS}[）)]?"
)
# 2026年第41号令 (as in list titles), optionally after the agency name.
_ORDER_TRAILING = (
    f"(?P<t_agency>{_AGENCY_NAME}{_WS})?(?P<t_year>{_YEAR}){_WS}年{_WS}第{_WS}(?P<t_serial>{_NUM}){_WS}号{_WS}令"
)
# 国家发展改革委公告2023年第1号.
_NOTICE = f"{_AGENCY_NAME}{_WS}公{_WS}告{_WS}(?P<n_year>{_YEAR}){_WS}年{_WS}第{_WS}(?P<n_serial>{_NUM}){_WS}号"

_ANY_RE = re.compile(
    f"(?P<notice>{_NOTICE})|(?P<order>{_ORDER_NAMED})|(?P<trailing>{_ORDER_TRAILING})|(?P<wenhao>{_NDRC_NUMBER})"
)

# A Han character right before 发改 makes it someone else's number: 京发改规〔2017〕4号 (Beijing),
# 甘发改价格规 (Gansu), 冀发改办 (Hebei), 沪发改 (Shanghai), 市发改 … — except these function words,
# which lead into a citation (根据发改办…, 按照发改…, 详见发改…, …和发改…, 转发发改…, the 通知 of a
# title run into its 文号) and abbreviate no place. An allow-list, because place abbreviations are
# open-ended (甬 宁波, 榕 福州, 穗 广州, …): an unknown lead character loses a citation rather than
# passing a provincial number off as NDRC's.
CITATION_LEAD_CHARS = frozenset("据照按依见及和与或并的由经将于对在为即如以自从知发")

# Before a bare "2026年第41号令" only a non-Han character may stand (》, a space, a bracket, the start):
# 商务部2019年第1号令 is another ministry's order.

# Any 文号 at the end of a title, NDRC's or a co-issuer's (财建〔2021〕1号): the number the page is
# listed with. Up to 12 Han characters of issuer abbreviation.
_TITLE_NUMBER_RE = re.compile(
    f"{_WS}[（(]{_WS}(?P<number>{_HAN}(?:{_WS}{_HAN}){{0,11}}{_WS}[{_OPEN}]{_WS}{_YEAR}{_WS}[{_CLOSE}]"
    f"{_WS}{_NUM}{_WS}号){_WS}[）)]{_WS}$"
)
_TITLE_ORDER_RE = re.compile(f"{_WS}(?P<number>{_ORDER_TRAILING}){_WS}$")

_HAN_RE = re.compile(_HAN)
_SPACES = frozenset(" \t\r\n\u00a0\u3000\u2003")
_SPACE_RE = re.compile(r"[\s\u00a0\u3000]+")
_BRACKETS = str.maketrans({**{c: "〔" for c in "[【（(〔［﹝〖"}, **{c: "〕" for c in "]】）)〕］﹞〗"}})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_FULLWIDTH_DIGIT_RE = re.compile("[０-９]")
_BRACKET_STANDIN_RE = re.compile("[\\[【（(［﹝〖\\]】）)］﹞〗]")

# A 文号 exactly in normal form, nothing around it: 发改, up to six characters of office, 〔year〕
# and a serial without leading zeros (normalisation would drop them).
_PLAIN_WENHAO_RE = re.compile(r"发改[\u4e00-\u9fff]{0,6}〔[1-9][0-9]{3}〕[1-9][0-9]*号")
# Any issuer's 文号 already in normal form (财建〔2021〕1号 too): no space, stand-in bracket,
# full-width digit or leading zero for the normalisation to change.
_NORMAL_WENHAO_RE = re.compile(f"[^〔〕\\s{_OPEN}{_CLOSE}０-９]+〔[1-9][0-9]{{3}}〕[1-9][0-9]*号")
_PLAIN_WENHAO_PARTS_RE = re.compile(r"(发改[\u4e00-\u9fff]{0,6})〔([1-9][0-9]{3})〕([1-9][0-9]*)号")

_WENHAO_NORMAL_RE = re.compile(r"(?P<prefix>[^〔〕\s]+)〔(?P<year>\d{4})〕(?P<serial>\d+)号")
_YEARED_NORMAL_RE = re.compile(
    f"(?P<prefix>{re.escape(ORDER_PREFIX)}|{re.escape(NOTICE_PREFIX)})(?P<year>\\d{{4}})年第(?P<serial>\\d+)号"
)


def _char_before(text: str, pos: int) -> str:
    """The last non-space character before `pos` ("" at the start)."""
    while pos > 0 and text[pos - 1] in _SPACES:
        pos -= 1
    return text[pos - 1] if pos else ""


def _clean(s: str) -> str:
    # A printable string holds no whitespace but the ASCII space (every other space, line break
    # and control is unprintable): the substitution runs only when one may be there.
    if " " in s or not s.isprintable():
        s = _SPACE_RE.sub("", s)
    # str.translate with a table walks every character in Python objects: only when needed.
    return s.translate(_FULLWIDTH_DIGITS) if _FULLWIDTH_DIGIT_RE.search(s) else s


def _square_brackets(s: str) -> str:
    """The stand-in brackets of a 文号 made 〔〕."""
    return s.translate(_BRACKETS) if _BRACKET_STANDIN_RE.search(s) else s


def _int(s: str) -> int:
    if s.isascii() and s.isdigit():
        return int(s)  # ASCII digits (the usual 2026, 41): nothing for _clean to remove or rewrite
    return int(_clean(s))


def _iter_numbers(text: str, year: int | None):
    """Normalised NDRC numbers in `text`, in order (duplicates included)."""
    return (number for number, _ in _number_matches(text, year))


def _number_matches(text: str, year: int | None):
    """(normalised number, its match) for each NDRC number in `text`, in order."""
    if "号" not in text or ("发" not in text and "令" not in text):
        # Every form ends in 号, and holds 发 (发改, 国家发展…) or 令 (2026年第41号令): spare the
        # regex a scan of a line that cannot hold one (第40号, a sentence citing no number).
        return
    for m in _ANY_RE.finditer(text):
        kind = m.lastgroup  # the outer alternative that matched
        if kind == "wenhao":
            before = _char_before(text, m.start())
            if _HAN_RE.match(before) and before not in CITATION_LEAD_CHARS:
                continue
            prefix = _clean(m["w_prefix"])
            yield f"{prefix}〔{_int(m['w_year'])}〕{_int(m['w_serial'])}号", m
        elif kind == "notice":
            yield f"{NOTICE_PREFIX}{_int(m['n_year'])}年第{_int(m['n_serial'])}号", m
        elif kind == "order":
            order_year = _int(m["o_year"]) if m["o_year"] else year
            yield _order(order_year, _int(m["o_serial"])), m
        elif kind == "trailing":
            if not m["t_agency"]:
                if _HAN_RE.match(_char_before(text, m.start())):
                    continue
            yield _order(_int(m["t_year"]), _int(m["t_serial"])), m


def _order(year: int | None, serial: int) -> str:
    return f"{ORDER_PREFIX}{year}年第{serial}号" if year else f"{ORDER_PREFIX}第{serial}号"


def normalize_doc_number(text: str, *, year: int | None = None) -> str | None:
    """The first NDRC 文号, order or announcement number in `text`, normalised; None if there is none.

    ``"发改开放 [2022] 408 号"`` -> ``"发改开放〔2022〕408号"``; ``"2026年第41号令"`` and
    ``"中华人民共和国国家发展和改革委员会令\\n第41号"`` (with ``year=2026``) ->
    ``"国家发展改革委令2026年第41号"``. Provincial look-alikes (京发改规〔2017〕4号) do not match.

    `year` is for an order cited by its number alone (``…委员会令 第41号``): that number is not unique
    (there are two 第7号), so the caller gives the year it knows from elsewhere — the listed title
    (``2026年第41号令``) or the page's date. Without it such an order normalises to
    ``国家发展改革委令第41号``, which `doc_number_parts` cannot split. A year printed in the text wins.
    """
    if not isinstance(text, str) or "号" not in text:  # every form ends in 号
        return None
    if _PLAIN_WENHAO_RE.fullmatch(text):
        return text  # already its own normal form (the usual 文号 line): spare the large pattern
    for number in _iter_numbers(text, year):
        return number
    return None


# What may stand beside the number on a line of its own: brackets around it, a 签发人 (signer)
# with a name, a 文号 label, punctuation. Anything more makes the line a sentence citing a number
# (原文链接：关于…的通知(发改…〔2026〕980号) closing a 解读 page), not the document's own 文号.
_NUMBER_LINE_EXTRAS = re.compile(
    r"签发人[:：]?[\u4e00-\u9fff·]{0,8}|(?:发文字号|文号)[:：]?|[\s\u3000()（）〔〕\[\]【】:：,，;；、.。]+"
)


def doc_number_line(text: str) -> str | None:
    """The number a 文号 line consists of, normalised as `normalize_doc_number` does; None for a
    line that holds more than its number (brackets, a 签发人, a 文号 label aside): a line citing
    another document's number names no number of its own.

    ``"发改经贸〔2026〕1241号"`` and ``"发改经贸〔2026〕1241号签发人：张三"`` -> ``"发改经贸〔2026〕1241号"``;
    ``"原文链接：《办法》2019年第1号令"`` -> None.
    """
    if not isinstance(text, str) or "号" not in text:
        return None
    if _PLAIN_WENHAO_RE.fullmatch(text):
        return text
    for number, m in _number_matches(text, None):
        beside = text[: m.start()] + text[m.end() :]
        return None if _NUMBER_LINE_EXTRAS.sub("", beside) else number
    return None


def find_doc_numbers(text: str, *, year: int | None = None) -> list[str]:
    """Every NDRC 文号 / order / announcement number cited in `text`: normalised, in order of first
    appearance, without duplicates. Numbers broken by spaces or line breaks are found too; `year`
    as in `normalize_doc_number`."""
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(_iter_numbers(text, year)))


def doc_number_parts(doc_number: str) -> DocNumberParts | None:
    """Split a 文号 into (prefix, year, serial): 发改开放〔2022〕408号 -> ("发改开放", 2022, 408);
    国家发展改革委令2026年第41号 -> ("国家发展改革委令", 2026, 41).

    Takes normal forms of any issuer (财建〔2021〕1号 splits too) and raw NDRC spellings, which it
    normalises first. None for anything else, including an order without a year.
    """
    if not isinstance(doc_number, str):
        return None
    plain = _PLAIN_WENHAO_PARTS_RE.fullmatch(doc_number)
    if plain:  # the normal form of an NDRC 文号 (what `doc_number` usually holds): split it as is
        return DocNumberParts(plain[1], int(plain[2]), int(plain[3]))
    # The normal form of an order or announcement (国家发展改革委令2026年第41号): it holds no space
    # and no bracket, so _parts_by_pattern's cleaning would leave it as it is (but for full-width
    # digits, which \d takes and int() reads alike), and its first pattern would split it so.
    yeared = _YEARED_NORMAL_RE.fullmatch(doc_number) if doc_number.startswith(AGENCY) else None
    if yeared:
        return DocNumberParts(yeared["prefix"], int(yeared["year"]), int(yeared["serial"]))
    return _parts_by_pattern(doc_number)


def _parts_by_pattern(doc_number: str) -> DocNumberParts | None:
    compact = _square_brackets(_clean(doc_number))
    for pattern in (_YEARED_NORMAL_RE, _WENHAO_NORMAL_RE):
        m = pattern.fullmatch(compact)
        if m:
            return DocNumberParts(m["prefix"], int(m["year"]), int(m["serial"]))
    normal = normalize_doc_number(doc_number)
    if normal and normal != compact:
        return _parts_by_pattern(normal)
    return None


def _normal_title_number(number: str) -> str:
    """A title's trailing 文号 (any issuer's) in normal form: spaces out, 〔〕 brackets, leading
    zeros and full-width digits rewritten the way normalize_doc_number does."""
    number = _square_brackets(_clean(number))
    parts = _WENHAO_NORMAL_RE.fullmatch(number)
    if parts:
        number = f"{parts['prefix']}〔{int(parts['year'])}〕{int(parts['serial'])}号"
    return number


def _first_bracket_run(text: str) -> int:
    """Where a match of _TITLE_NUMBER_RE can start at the earliest: at the spaces before the
    first opening bracket (the pattern opens with spaces and a bracket). Searching from there
    finds the same leftmost match, without trying every character of the title before it."""
    ascii_at, wide_at = text.find("("), text.find("（")
    at = ascii_at if wide_at < 0 or 0 <= ascii_at < wide_at else wide_at
    if at <= 0:
        return 0
    while at > 0 and text[at - 1].isspace():  # `_WS`: \s is str.isspace(), U+00A0 and U+3000 too
        at -= 1
    return at


# Every character str.isspace() knows (what a pattern's \s matches, U+00A0 and U+3000 among
# them); a test holds it to str.isspace().
SPACE_CHARS = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# What may stand in a trailing order number before its 年: the year's digits (full-width too),
# the agency's name (国家发展和改革委员会 and its short form) and spaces.
_ORDER_HEAD_CHARS = "0123456789０１２３４５６７８９国家发展和改革委员会" + SPACE_CHARS


def _order_run_start(text: str) -> int:
    """Where a match of _TITLE_ORDER_RE can start at the earliest (len(text) when it cannot match).

    Its 年 is the text's last (nothing after it in the pattern holds one), and before that 年 it
    holds only `_ORDER_HEAD_CHARS` and spaces: a match cannot start before the run of those the
    last 年 closes. Searching from there finds the same leftmost match, without the pattern being
    tried at every character of the title."""
    at = text.rfind("年")
    if at < 0:
        return len(text)
    return len(text[:at].rstrip(_ORDER_HEAD_CHARS))  # the run walked back over in C


def strip_title_number(title: str) -> tuple[str, str | None]:
    """Cut the 文号 the site appends to a listed title: (title proper, that 文号 normalised).

    ``关于印发《物流网建设实施方案》的通知(发改经贸〔2026〕1241号)`` ->
    ``("关于印发《物流网建设实施方案》的通知", "发改经贸〔2026〕1241号")``;
    ``《粮食流通行政执法办法》 2026年第40号令`` -> ``("《粮食流通行政执法办法》", "国家发展改革委令2026年第40号")``.
    Only a trailing bracket holding a whole 文号 is cut — ``…办法(试行)`` keeps its bracket. A
    co-issuer's 文号 (财建〔2021〕1号) is cut and returned too: it is the number the page is listed with.
    No number: ``(title stripped, None)``.
    """
    if not isinstance(title, str):
        return "", None
    stripped = title.strip(" \t\r\n\u00a0\u3000")
    if "号" not in stripped:
        return stripped, None  # both forms end in 号
    if stripped.endswith((")", "）")):
        plain = _plain_bracket_number(stripped)
        if plain:
            return plain
    return _strip_by_pattern(stripped)


def _plain_bracket_number(title: str) -> tuple[str, str] | None:
    """`_strip_by_pattern` of a title ending in a bracket that holds an NDRC 文号 in normal form
    (…的通知(发改经贸〔2026〕1241号), the usual listed title), without its two patterns; None for
    any other title.

    The match of _TITLE_NUMBER_RE is then that last bracket: an earlier one would have to take
    the last bracket for the year's and find no digit after it. It starts at the spaces before
    the bracket, and its number, already normal, is the bracket's text."""
    at = max(title.rfind("("), title.rfind("（"))
    if at < 0 or _PLAIN_WENHAO_RE.fullmatch(title, at + 1, len(title) - 1) is None:
        return None
    head_end = at
    while head_end > 0 and title[head_end - 1].isspace():  # `_WS`: \s is str.isspace(), U+00A0 and U+3000 too
        head_end -= 1
    return title[:head_end].rstrip(" \t\r\n\u00a0\u3000"), title[at + 1 : -1]


def _strip_by_pattern(stripped: str) -> tuple[str, str | None]:
    """`strip_title_number` of a stripped title holding 号, by its two patterns."""
    # The bracketed form ends in a bracket, the order form in 令 (spaces aside): only then is
    # either pattern searched for, from the left, across the whole title.
    end = stripped.rstrip()[-1:]
    m = _TITLE_NUMBER_RE.search(stripped, _first_bracket_run(stripped)) if end in (")", "）") else None
    if m:
        number = m["number"]
        if _NORMAL_WENHAO_RE.fullmatch(number) is None:  # spaces, stand-in brackets, zeros to fix
            number = _normal_title_number(number)
        return stripped[: m.start()].rstrip(" \t\r\n\u00a0\u3000"), number
    m = _TITLE_ORDER_RE.search(stripped, _order_run_start(stripped)) if end == "令" else None
    if m:
        head = stripped[: m.start()].rstrip(" \t\r\n\u00a0\u3000")
        if head:
            return head, _order(_int(m["t_year"]), _int(m["t_serial"]))
    return stripped, None
