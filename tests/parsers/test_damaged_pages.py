"""Property: a real page re-encoded or cut short parses the same, or says what is wrong.

Re-encoded (GBK, GB18030, UTF-8 with a BOM, UTF-16), declared truthfully or not at all, every real
detail page gives the page's own document. Cut at any byte, it gives either the same document, a
document whose body is the beginning of the page's body with a warning that the page was cut
short, or a one-line ParseError: never a traceback, never a body with chrome in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import ParseError, parse
from parsers.document import page_links
from parsers.sniff import DECODE_WINDOW
from tests.conftest import PAGES, RENDERINGS
from test_documents import page_url

DETAIL_PAGES = sorted(p.name for p in PAGES.glob("*_t*.html"))
COMPARED = ("title", "doc_number", "publish_date", "written_date", "effective_date", "issuers",
            "addressees", "body_text", "articles", "tables", "attachments", "interpretations")
CHROME = ("打印", "排行榜", "相关政策与解读", "发布时间", "来源：", "首页")


def _doc(data: bytes, name: str) -> dict:
    return parse(data, url=page_url(name)).to_dict()


@pytest.fixture(scope="module")
def own() -> dict[str, dict]:
    return {name: _doc((PAGES / name).read_bytes(), name) for name in DETAIL_PAGES}


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("codec, declared", [
    ("gbk", "gbk"), ("gb18030", "gb18030"), ("gbk", None), ("gb18030", "gb2312"), ("utf-8-sig", "utf-8"), ("utf-16", "utf-16"),
])
def test_re_encoded_page_parses_the_same(name, codec, declared, own):
    html = (PAGES / name).read_text(encoding="utf-8")
    meta = '<meta charset="UTF-8">'
    assert meta in html
    html = html.replace(meta, f'<meta charset="{declared}">' if declared else "")
    # (characters GBK has not, as the U+2003 indents, become character references, as a GBK site
    # writes them)
    got = _doc(html.encode(codec, errors="xmlcharrefreplace"), name)
    for key in COMPARED:
        assert got[key] == own[name][key], key


@pytest.mark.parametrize("name", DETAIL_PAGES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_a_page_cut_short_parses_the_same_or_says_so(name, cut, own):
    data = (PAGES / name).read_bytes()
    truncated = data[: int(len(data) * cut)]
    try:
        got = _doc(truncated, name)
    except ParseError as err:
        assert str(err) and "\n" not in str(err)
        return
    full = own[name]
    for word in CHROME:
        assert word not in got["body_text"], word
    if any("cut short" in w for w in got["warnings"]):
        # the beginning of the body: whole paragraphs, the last one perhaps cut (or decoded
        # without its last, incomplete character)
        paragraphs = [p for p in got["body_text"].split("\n") if p]
        expected = full["body_text"].split("\n")
        if paragraphs:
            assert len(paragraphs) <= len(expected)
            assert paragraphs[:-1] == expected[: len(paragraphs) - 1]
            last = paragraphs[-1].rstrip("\ufffd")
            assert expected[len(paragraphs) - 1].startswith(last)
    else:
        for key in COMPARED:
            assert got[key] == full[key], key


@pytest.mark.parametrize("stub", ["<", "<!DOCTY", "<htm"])
def test_a_page_cut_within_its_first_tag_holds_no_document(stub):
    with pytest.raises(ParseError):
        parse(stub.encode())


def test_a_cut_inside_a_character_or_a_reference_leaves_no_trace_of_it(own):
    """Found by the property above: `&nb` of a cut `&nbsp;`, U+FFFD of a cut UTF-8 character."""
    name = "fzggwl_t20260211_1403694.html"
    data = (PAGES / name).read_bytes()
    reference = data.index(b"&nbsp;", data.index(b"TRS_Editor"))
    character = data.index("日</div>".encode(), data.index(b"TRS_Editor")) + 1
    for cut in (reference + 1, reference + 3, character - 1, character - 2):
        got = _doc(data[:cut], name)
        assert any("cut short" in w for w in got["warnings"])
        assert "&" not in got["body_text"] and "\ufffd" not in got["body_text"]
        assert own[name]["body_text"].startswith(got["body_text"].rstrip("\n"))


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_a_byte_that_is_no_utf8_in_a_page_body_is_replaced_and_said(name, own):
    data = (PAGES / name).read_bytes()
    at = data.index("。".encode(), data.index(b"TRS_Editor"))
    got = _doc(data[:at] + b"\xff" + data[at:], name)
    assert "1 undecodable byte sequences replaced" in got["warnings"]
    assert got["body_text"].replace("\ufffd", "") == own[name]["body_text"]


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_a_text_holding_a_lone_surrogate_parses_without_it(name, own):
    """A caller's str may hold a lone surrogate (bytes decoded with "surrogateescape"): no
    character a document can hold, and no traceback either."""
    html = (PAGES / name).read_text(encoding="utf-8")
    at = html.index("。", html.index("TRS_Editor"))
    got = parse(html[:at] + "\ud800" + html[at:], url=page_url(name)).to_dict()
    for key in COMPARED:
        assert got[key] == own[name][key], key
    links = page_links(html[:at] + "\udc80" + html[at:], page_url(name))
    assert [a.url for a in links[0]] == [a["url"] for a in own[name]["attachments"]]


TOOL_RENDERINGS = sorted(Path(__file__).resolve().parent.parent.joinpath("renderings").glob("*/*.*"))


@pytest.mark.parametrize("path", [RENDERINGS / "tz_2022_408_rendering.txt", *TOOL_RENDERINGS], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_rendering_holding_a_lone_surrogate_parses_without_it(path):
    # The text path too: a surrogate reached the content hash, whose UTF-8 encoding raised.
    text = path.read_text(encoding="utf-8")
    at = text.index("。")
    assert parse(text[:at] + "\udc80" + text[at:]).to_dict() == parse(text).to_dict()


@pytest.mark.parametrize("name", DETAIL_PAGES)
@pytest.mark.parametrize("into", [0, 1, 2])
def test_a_long_page_whose_sniffing_window_ends_inside_a_character_parses_the_same(name, into, own):
    # Sniffing decodes a long page's first DECODE_WINDOW bytes. A comment of ASCII after the
    # charset declaration makes the page long and puts its first CJK character `into` bytes
    # before the window's end; the page declares EBCDIC (a charset that reads any bytes), so a
    # window read other than as UTF-8 holds no markup.
    html = (PAGES / name).read_text(encoding="utf-8")
    meta = '<meta charset="UTF-8">'
    head = '<meta charset="cp500"><!-- '
    after = html[html.index(meta) + len(meta):]
    ascii_run = len(after) - len(after.lstrip("".join(map(chr, range(128)))))
    pad = DECODE_WINDOW - into - len(html[: html.index(meta)]) - len(head) - len(" -->") - ascii_run
    data = html.replace(meta, head + "x" * pad + " -->").encode("utf-8")
    assert data[DECODE_WINDOW - into] >= 0xC0  # the lead byte of the character the window reaches
    got = _doc(data, name)
    for key in COMPARED:
        assert got[key] == own[name][key], key
