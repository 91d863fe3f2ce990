"""The closing of a body: `read_closing` walks up from its end over the notes and 版记
(（此件公开发布）, 抄送, 印发), the written date, the signature block (one agency a line, often
letter-spaced: 交 通 运 输 部; an order's 主任：name) and the 附件 list above it.
"""

from __future__ import annotations

import re

from parsers.agencies import agencies_in_line, is_agency
from parsers.body_dates import DATE, DATE_LINE, iso_date
from parsers.body_text import TERMINAL

# Notes closing a published text: （此件公开发布）, （此件主动公开）, （本文有删减）, （此页无正文）.
CLOSING_NOTE = re.compile(r"^[（(](?:此件|本件|此页|本页|本文|此文)[^（）()]{0,20}[)）]$")
# 抄送 / 主题词 lines of the 版记.
CC_LINE = re.compile(r"^(?:抄送|主题词|主送|抄报|分送)[:：]")
_CC_STARTS = ("抄送", "主题词", "主送", "抄报", "分送")
# How a note or a 抄送 line starts: a line starting otherwise is neither (one test, not six).
_NOTE_FIRST = frozenset("（(" + "".join(start[0] for start in _CC_STARTS))
# The 版记's printing line: 国家发展改革委办公厅 2022年3月28日印发.
PRINTED_LINE = re.compile(r"^[\u4e00-\u9fff]{2,40}" + DATE.pattern + r"印发$")
# An order's signature: 主任：郑栅洁 (or another head of an agency).
SIGNER_LINE = re.compile(r"^(?:主任|部长|局长|署长|行长|主席|总局长|委员长)[:：][\u4e00-\u9fff·]{2,6}$")
# The 附件 list of a notice stands just before the signature: 附件：1．… / 2．….
ATTACHMENT_LIST_HEAD = re.compile(r"^附件[0-9一二三四五六七八九十]*[:：]")
ATTACHMENT_LIST_ITEM = re.compile(r"^\d{1,2}\s*[.．、]")  # \d is what str.isdecimal() accepts: tested first
# How many lines an attachment list may hold, and how long an item is.
ATTACHMENT_LIST_MAX = 20
ATTACHMENT_ITEM_MAX = 100


def read_closing(compact: list[str], paras: list[str], header_end: int, warnings: list[str]) -> dict:
    n = len(compact)
    agencies: list[str] = []
    date: str | None = None
    signer = False
    i = n
    while i > header_end:
        line = compact[i - 1]
        # _is_closing_note's own first tests, made here: most lines are no note, and skip its call.
        if not line or ((line[0] in _NOTE_FIRST or line.endswith("印发")) and _is_closing_note(line)):
            i -= 1
            continue
        if line.endswith("日") and (date_line := DATE_LINE.match(line)):
            if date is None and not agencies:
                date = iso_date(date_line, warnings)
            elif agencies:
                break  # a date above the signature belongs to the text
            i -= 1
            continue
        if ("：" in line or ":" in line) and SIGNER_LINE.match(line):
            signer = True
            i -= 1
            continue
        # An agency's name is CJK text (AGENCY_NAME): a line holding 。 (a sentence) names none.
        found = agencies_in_line(paras[i - 1]) if "。" not in line else []
        if not found:
            # Only a date ending the line counts below: a line not ending in 日 is not searched.
            date_match = DATE.search(line) if line.endswith("日") else None
            if date_match and date_match.end() == len(line) and date is None and not agencies:
                found = agencies_in_line(line[: date_match.start()])
                if found:
                    date = iso_date(date_match, warnings)
        if found:
            agencies[:0] = found
            i -= 1
            continue
        if agencies and len(line) <= 2 and is_agency(line + agencies[0]):
            agencies[0] = line + agencies[0]  # a name split across two spans: 国 + 家发展改革委
            i -= 1
            continue
        break
    start = i
    if not (agencies or date or signer):
        # Only notes (or nothing) at the end: a signature may still stand mid-text, above an
        # attached document's text that follows the cover letter.
        mid = _signature_mid_text(compact, paras, header_end, start, warnings)
        if mid:
            agencies, date = mid
    else:
        start = _attachment_list_start(compact, start, header_end)
    return {"start": start, "issuers": agencies, "date": date, "signer": signer}


def _is_closing_note(line: str) -> bool:
    """A （此件公开发布） note, a 抄送 / 主题词 line or the 印发 line: the 版记 below a signature."""
    return (
        (line[0] in "（(" and CLOSING_NOTE.match(line) is not None)
        or (line.startswith(_CC_STARTS) and CC_LINE.match(line) is not None)
        or (line.endswith("印发") and PRINTED_LINE.match(line) is not None)
    )


def _signature_mid_text(compact, paras, header_end, end, warnings):
    """The first run of agency lines followed by a date line between header and closing."""
    i = header_end
    while i < end:
        run: list[str] = []
        j = i
        while j < end and compact[j] and (names := agencies_in_line(paras[j])):
            run.extend(names)
            j += 1
        if run and j < end and compact[j].endswith("日") and DATE_LINE.match(compact[j]):
            return run, iso_date(DATE_LINE.match(compact[j]), warnings)
        i = j + 1 if j > i else i + 1
    return None


def _attachment_list_start(compact: list[str], start: int, header_end: int) -> int:
    """Move the closing's start up over a 附件：1．… list standing just above the signature."""
    j = start - 1
    lowest = max(header_end, start - ATTACHMENT_LIST_MAX)
    while j >= lowest:
        line = compact[j]
        if line.startswith("附件") and ATTACHMENT_LIST_HEAD.match(line) and len(line) <= ATTACHMENT_ITEM_MAX + 4:
            return j
        if line and not (
            line[0].isdecimal() and ATTACHMENT_LIST_ITEM.match(line) and len(line) <= ATTACHMENT_ITEM_MAX and line[-1] not in TERMINAL
        ):
            return start
        j -= 1
    return start
