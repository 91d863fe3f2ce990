"""decode_bytes: UTF-8 and GB pages with right, wrong and missing declarations, BOMs, damage."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.encoding import declared_charset, decode_bytes
from tests.conftest import PAGES

# GBK holds 镕 and 堃, GB2312 does not: a page declaring gb2312 uses them anyway.
TEXT = "国家发展改革委关于印发《物流网建设实施方案》的通知　朱镕基 王堃"


def _page(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>通知</title></head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_real_pages_are_utf8_without_warnings(name):
    data = (PAGES / name).read_bytes()
    text, encoding, warnings = decode_bytes(data, is_html=True)
    assert (encoding, warnings) == ("utf-8", ())
    assert text == data.decode("utf-8")


@pytest.mark.parametrize("declared", ["gb2312", "GBK", "gb18030", "x-gbk", "cp936"])
def test_gb_page_declared_in_the_gb_family_decodes_as_gb18030(declared):
    text, encoding, warnings = decode_bytes(_page(declared).encode("gbk"), is_html=True)
    assert encoding == "gb18030"
    assert TEXT in text
    assert warnings == ()


def test_utf8_page_declaring_gb2312_is_read_as_utf8_with_a_warning():
    text, encoding, warnings = decode_bytes(_page("gb2312").encode("utf-8"), is_html=True)
    assert encoding == "utf-8"
    assert TEXT in text
    assert len(warnings) == 1 and "gb2312" in warnings[0]


def test_gbk_page_declaring_utf8_is_read_as_gb18030_with_a_warning():
    text, encoding, warnings = decode_bytes(_page("utf-8").encode("gbk"), is_html=True)
    assert encoding == "gb18030"
    assert TEXT in text
    assert any("utf-8" in w for w in warnings)


def test_gbk_page_without_declaration():
    text, encoding, _warnings = decode_bytes(_page(None).encode("gbk"), is_html=True)
    assert encoding == "gb18030"
    assert TEXT in text


def test_ascii_page_declaring_anything_needs_no_warning():
    assert decode_bytes(b'<meta charset="gb2312"><p>ok</p>', is_html=True)[2] == ()


@pytest.mark.parametrize("codec, bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_bom_wins_and_is_removed(codec, bom):
    text, encoding, _warnings = decode_bytes(bom + _page("gb2312").encode(codec), is_html=True)
    assert encoding == codec
    assert text.startswith("<html>")
    assert TEXT in text


def test_damaged_utf8_stays_utf8():
    data = _page("utf-8").encode("utf-8")
    cut = data.index(TEXT.encode("utf-8")) + 4  # inside the second character
    damaged = data[:cut] + b"\xff" + data[cut:]
    text, encoding, warnings = decode_bytes(damaged, is_html=True)
    assert encoding == "utf-8"
    assert "\ufffd" in text and "物流网建设实施方案" in text
    assert any("replaced" in w for w in warnings)


def test_text_rendering_ignores_meta_lookalikes():
    assert declared_charset(b'<meta charset="gbk">', is_html=False) == (None, None)
    assert declared_charset(b'<?xml version="1.0" encoding="GB2312"?><a/>', is_html=False) == ("GB2312", "gb18030")


def test_unknown_declaration_is_a_warning_not_an_error():
    text, _encoding, warnings = decode_bytes(_page("x-no-such-charset").encode("gbk"), is_html=True)
    assert TEXT in text
    assert any("x-no-such-charset" in w for w in warnings)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.booleans())
def test_fuzz_never_raises(data, is_html):
    text, encoding, warnings = decode_bytes(data, is_html=is_html)
    assert isinstance(text, str) and encoding and isinstance(warnings, tuple)


# The characters of a real page: realistic Chinese text, not arbitrary code points (a few
# arbitrary GBK byte pairs are valid UTF-8 too, an ambiguity no decoder can settle on 2 bytes).
REAL_CHARS = sorted({ch for ch in (PAGES / "tz_index_2026-07.html").read_text(encoding="utf-8") if "\u4e00" <= ch <= "\u9fff"})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(REAL_CHARS), min_size=4, max_size=200))
def test_gbk_round_trip(chinese):
    data = chinese.encode("gb18030")
    text, _encoding, _warnings = decode_bytes(b"<p>" + data + b"</p>", is_html=True)
    assert chinese in text


@settings(max_examples=500)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x2E00, max_codepoint=0xA000),  # around the CJK blocks
            st.characters(blacklist_categories=("Cs",)),
        ),
        max_size=12,
    )
)
def test_cjk_lead_bytes_mean_a_cjk_character(text):
    """The lead-byte shortcut of the CJK test: in valid UTF-8, a byte E4–E9 starts a character
    that the CJK pattern matches, so the shortcut never answers yes wrongly."""
    from parsers.encoding import _CJK, _has_common_cjk_lead

    if _has_common_cjk_lead(text.encode("utf-8")):
        assert _CJK.search(text) is not None


@pytest.mark.parametrize(
    "head, expected",
    [
        (b'<META CharSet="GBK">', "GBK"),  # the name as written
        (b"<meta http-equiv='Content-Type' content='text/html; CHARSET=gb2312'>", "gb2312"),
        (b'<Meta name="x" charset = "UTF-8" >', "UTF-8"),
        (b'<meta name="charset-note"><p>charset=gbk</p>', None),
    ],
)
def test_charset_declarations_in_any_case(head, expected):
    assert declared_charset(b"<html><head>" + head + b"</head></html>")[0] == expected
