"""parsers.rewrap: lines a tool wrapped at its width are joined again, and no other.

The wrapped renderings themselves (lynx, w3m and html2text at their default widths) are in
tests/renderings and held to their pages by test_tool_renderings; here, the other direction: a
rendering that was never wrapped keeps every line, however wide.
"""

from __future__ import annotations

import unicodedata

import pytest

from parsers import parse
from parsers.rewrap import TERMINAL_COLUMNS, unwrapped
from tests.conftest import PAGES
from test_documents import page_url

DETAIL_PAGES = sorted(p.name for p in PAGES.glob("*_t*.html"))
COMPARED = ("title", "doc_number", "written_date", "issuers", "addressees", "body_text", "articles")


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _one_paragraph_a_line(doc: dict) -> str:
    return "\n".join([doc["title"], *doc["body_text"].split("\n")]) + "\n"


# Lines a body may hold that fill an 80-column terminal without being wrapped: an attachment's
# title ending in its bracketed years (79 columns), a title ending in 》.
FULL_LINES = [
    "附件：新型能源体系建设“十五五”规划重点任务分工及有关部门职责清单（2026—2030年）",
    "附件：国家发展改革委关于进一步完善新型能源体系建设“十五五”规划的实施方案和细则》",
]


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("extra", FULL_LINES)
def test_a_full_line_of_a_rendering_never_wrapped_stays_a_line(name, extra):
    assert TERMINAL_COLUMNS - 3 <= _columns(extra) <= TERMINAL_COLUMNS
    html = (PAGES / name).read_text(encoding="utf-8")
    own = parse(html.encode(), url=page_url(name)).to_dict()
    lines = _one_paragraph_a_line(own).split("\n")
    lines.insert(len(lines) - 3, extra)  # in the closing (a signature or date follows it)
    assert unwrapped(lines) == lines


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_a_page_as_text_one_paragraph_a_line_parses_as_the_page(name):
    own = parse((PAGES / name).read_bytes(), url=page_url(name)).to_dict()
    text = _one_paragraph_a_line(own)
    lines = text.split("\n")
    assert unwrapped(lines) == lines
    got = parse(text.encode("utf-8"), url=page_url(name)).to_dict()
    for key in ("doc_number", "written_date", "issuers", "addressees", "articles"):
        assert got[key] == own[key], key


def test_a_line_w3m_broke_before_a_full_stop_is_joined():
    # w3m -cols 80 of tz_t20260625: the 。 moved alone to the next line
    lines = [
        "各省、自治区、直辖市人民政府，国务院有关部委、直属机构，有关中央企业：",
        "  《新型能源体系建设“十五五”规划》已经国务院同意，现印发给你们，请认真贯彻实施",
        "。",
        "",
        "国家发展改革委",
    ]
    assert _columns(lines[1]) == 78
    assert unwrapped(lines) == [lines[0], lines[1] + "。", "", lines[4]]
