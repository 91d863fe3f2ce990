"""A document's term as its own text states it: when it takes effect on issue, when it ends.

- `effective_on_issue(paragraphs, written_date, publish_date)`: the effective date of a text
  that takes effect on issue. ``自印发之日起施行`` (and 签发, 下发) gives the written date (成文日期,
  the date the document was signed and issued); ``自发布之日起施行`` (and 公布, 颁布) gives the
  publish date (发布时间, the date the site published it). None when the text says neither.
- `stated_start(sentence)`: the day a clause says it takes hold (``自2027年1月1日起停止执行``).
- `expiry(paragraphs, effective_date) -> Expiry | None`: the end of a stated 有效期:
  ``有效期至2030年12月31日`` gives that date; ``有效期5年`` / ``有效期为五年`` counts N years
  from the effective date, ending the day before the anniversary (2021-01-01 + 5 years →
  2025-12-31). The sentence comes with the date, for `validity_basis`.

Pure functions over the body's paragraphs; `parsers.document` calls them during assembly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from parsers.frozen import frozen
from parsers.numerals import cn_to_int

# 自印发之日起施行 and its variants: the verb names which date the text means. 印发 / 签发 / 下发
# are acts of the issuer on the day it signs (the written date); 发布 / 公布 / 颁布 make it
# public (the publish date). The tail verbs are those of body_dates.EFFECTIVE.
ON_ISSUE = re.compile(r"自\s*(印发|发布|公布|颁布|签发|下发)\s*之日\s*起\s*(?:施行|实施|执行|生效)")
WRITTEN_VERBS = frozenset({"印发", "签发", "下发"})

# A date as the texts print it: 2030年12月31日, 二〇三〇年十二月三十一日.
_DATE = r"(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
# 有效期至2030年12月31日 (also 有效期到, 有效期截至, 实施期限至, 执行期限至, 有效期限至).
EXPIRY_UNTIL = re.compile(r"(?:有效期|有效期限|实施期限|执行期限|试行期)\s*(?:为|延长)?\s*(?:至|到|截至|截止到?)\s*" + _DATE)
# 有效期5年, 有效期为五年, 有效期限3年, 试行期2年: N years counted from the effective date.
EXPIRY_YEARS = re.compile(r"(?:有效期|有效期限|试行期)\s*(?:为|暂定为?)?\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*年(?!\s*第)")
# A clause that states its own start (《X》自2027年1月1日起停止执行): it holds from that day, not
# from the effective date of the document that says it.
STATED_FROM = re.compile(r"自\s*" + _DATE + r"\s*起")
# Sentence ends: a 有效期 clause is reported as the sentence holding it.
_SENTENCE_END = re.compile(r"(?<=[。！？；])")


@frozen
class Expiry:
    date: str  # ISO: the last day in force
    text: str  # the sentence that says so


def effective_on_issue(
    paragraphs: Sequence[str], written_date: str | None, publish_date: str | None
) -> str | None:
    """The date a text taking effect on issue takes effect (see the module docstring)."""
    for para in paragraphs:
        if "之日" not in para:
            continue
        m = ON_ISSUE.search(para)
        if m:
            return written_date or publish_date if m.group(1) in WRITTEN_VERBS else publish_date or written_date
    return None


def expiry(paragraphs: Sequence[str], effective_date: str | None) -> Expiry | None:
    """The end of the first stated 有效期, or None (none stated, or N years without a start)."""
    for para in paragraphs:
        if "期" not in para:
            continue
        for sentence in _SENTENCE_END.split(para):
            found = _sentence_expiry(sentence, effective_date)
            if found:
                return Expiry(found, sentence.strip())
    return None


def stated_start(sentence: str) -> str | None:
    """The day a clause says it takes hold (自2027年1月1日起…), ISO, or None."""
    m = STATED_FROM.search(sentence) if "起" in sentence else None
    return _iso(m.group(1), m.group(2), m.group(3)) if m else None


def _sentence_expiry(sentence: str, effective_date: str | None) -> str | None:
    m = EXPIRY_UNTIL.search(sentence)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    m = EXPIRY_YEARS.search(sentence)
    if m and effective_date:
        years = _number(m.group(1))
        try:
            start = dt.date.fromisoformat(effective_date)
        except ValueError:
            return None
        if years:
            try:
                end = start.replace(year=start.year + years)
            except ValueError:  # from 29 February: the anniversary is 1 March
                end = dt.date(start.year + years, 3, 1)
            return (end - dt.timedelta(days=1)).isoformat()
    return None


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_to_int(text)


def _iso(year: str, month: str, day: str) -> str | None:
    y = int(year) if year.isdigit() else cn_to_int(year.replace("○", "〇"))
    try:
        return dt.date(y, _number(month), _number(day)).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
