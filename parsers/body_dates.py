"""The dates a body prints: the written date (2026年8月18日, 二〇二二年三月十六日) of its closing
and the effective date of its text (自2026年4月1日起施行), as ISO strings.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

from parsers.numerals import cn_to_int

# A written date: 2026年8月18日, or in Chinese numerals 二〇二二年三月十六日.
_YEAR = r"(\d{4}|[〇○零一二三四五六七八九]{4})"
_MD = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
DATE = re.compile(_YEAR + r"年" + _MD + r"月" + _MD + r"日")
DATE_LINE = re.compile(r"^" + DATE.pattern + r"$")

# --- Effective date ----------------------------------------------------------------------------

# 自2026年4月1日起施行 (or 实施, 执行, 生效; 于 / 从 instead of 自).
EFFECTIVE = re.compile(r"(?:自|于|从)?\s*" + DATE.pattern + r"\s*(?:起|开始)\s*(?:施行|实施|执行|生效)")
# How far before its 年 an EFFECTIVE match can start in a compact line: 自 and a four-digit year.
EFFECTIVE_LEAD = 5
# How far before its date's 日 (followed by 起 or 开始) an EFFECTIVE match can start in a compact
# line: 自, a four-digit year, 年, a month of up to three characters, 月, a day of up to three.
EFFECTIVE_DAY_REACH = 1 + 4 + 1 + 3 + 1 + 3
# 自印发之日起施行: the date is the publish (or written) date, which the caller knows, so the
# body gives no date of its own here and effective_date stays None.
EFFECTIVE_ON_ISSUE = re.compile(r"自\s*(?:印发|发布|公布|颁布|签发|下发)\s*之日\s*起\s*(?:施行|实施|执行|生效)")


def read_effective_date(compact: list[str], warnings: list[str]) -> str | None:
    """The first 自…起施行 of the text; None when it takes effect on issue (the caller's date)."""
    first: str | None = None
    decided = False
    dates: list[str] = []
    for line in compact:
        # Both patterns hold 日 (a date's, or 之日) and end in one of these words: a line without
        # them needs no regex scan (日 first: most lines have no date).
        if "日" not in line or not ("施行" in line or "实施" in line or "执行" in line or "生效" in line):
            continue
        # A dated one holds 年 and 日起 (or 日开始), and starts at most EFFECTIVE_LEAD characters
        # before its 年 and EFFECTIVE_DAY_REACH before that 日 (compact lines have no spaces):
        # its scan starts at the later of the two bounds the line's first 年 and 日起 set (the
        # pattern has no literal prefix and is otherwise tried at every character). An on-issue
        # one holds 之日.
        year_at = line.find("年")
        day_at = _first_day_then_start(line) if year_at >= 0 else -1
        dated = (
            [*EFFECTIVE.finditer(line, max(year_at - EFFECTIVE_LEAD, day_at - EFFECTIVE_DAY_REACH, 0))]
            if day_at >= 0
            else ()
        )
        on_issue = [*EFFECTIVE_ON_ISSUE.finditer(line)] if "之日" in line else ()
        # Each finditer yields in order already: the two are merged only when both found one.
        matches = (sorted([*dated, *on_issue], key=_match_start) if dated and on_issue
                   else dated or on_issue)  # fmt: skip
        for match in matches:
            if match.re is EFFECTIVE:
                iso = iso_date(match, warnings)
                if iso:
                    dates.append(iso)
                    if not decided:
                        first, decided = iso, True
            elif not decided:
                decided = True
    if len(set(dates)) > 1:
        warnings.append(f"several effective dates in the text ({', '.join(dict.fromkeys(dates))}); kept the first")
    return first


def _first_day_then_start(line: str) -> int:
    """Where the line's first 日起 or 日开始 stands (-1 when it has neither)."""
    at, late = line.find("日起"), line.find("日开始")
    return late if at < 0 or 0 <= late < at else at


def _match_start(match: re.Match) -> int:
    return match.start()


# Every day of the calendar as its ISO tail ("-06-13"), keyed by its month and day as a body
# writes them in ASCII digits, with or without a leading zero (("6", "13"), ("06", "13")): the
# usual written date is read by one look-up, without three int() calls and a date object.
# 29 February is in it (from a leap year); whether the date's own year has one is tested apart.
ISO_MONTH_DAY = {
    (month_text, day_text): f"-{month:02d}-{day:02d}"
    for month in range(1, 13)
    for day in range(1, calendar.monthrange(2000, month)[1] + 1)
    for month_text in {str(month), f"{month:02d}"}
    for day_text in {str(day), f"{day:02d}"}
}


def iso_date(match: re.Match, warnings: list[str]) -> str | None:
    """The ISO date a DATE match writes; None (and a warning) when it is no date of the calendar."""
    year_text, month_text, day_text = match.group(1, 2, 3)
    tail = ISO_MONTH_DAY.get((month_text, day_text))
    # A year of four ASCII digits is its own ISO spelling; year 0 is none (date() refuses it).
    if (
        tail is not None
        and year_text.isascii()
        and year_text != "0000"
        and (tail != "-02-29" or calendar.isleap(int(year_text)))
    ):
        return year_text + tail
    return iso_date_by_value(match, warnings)


def iso_date_by_value(match: re.Match, warnings: list[str]) -> str | None:
    """`iso_date` through the values of its numbers (the general path its look-up is held to)."""
    year_text, month_text, day_text = match.group(1, 2, 3)
    if (year_text + month_text + day_text).isascii():
        # Each group is digits or Chinese numerals: all ASCII means ASCII digits, which
        # year_value and cn_to_int read with int() alone (the usual 2026年8月18日).
        year, month, day = int(year_text), int(month_text), int(day_text)
    else:
        year = year_value(year_text)
        month, day = cn_to_int(month_text), cn_to_int(day_text)
    try:
        return _dt.date(year, month, day).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        warnings.append(f"not a valid date: {match.group(0)}")
        return None


def year_value(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = cn_to_int(text.replace("○", "〇"))
    return value if value and value >= 1000 else None


def iso_year(iso: str | None) -> int | None:
    return int(iso[:4]) if iso else None


def promulgation_year(compact: list[str], start: int) -> int | None:
    """An order's year from its promulgation text (《…》已经2026年2月5日…审议通过) when unsigned."""
    for line in compact[start : start + 3]:
        match = DATE.search(line)
        if match:
            return year_value(match.group(1))
    return None
