"""sniff: PDF, OFD, HTML and text renderings told apart; empty and binary input refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.errors import ParseError
from parsers.encoding import BOMS
from parsers.sniff import BINARY_MAGIC, sniff, sniff_decoded
from tests.conftest import PAGES, RENDERINGS


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(p.name for p in PAGES.glob("*.html")))
def test_real_pages_are_html(name):
    assert sniff((PAGES / name).read_bytes()) == "html"


def test_real_rendering_is_text():
    assert sniff((RENDERINGS / "tz_2022_408_rendering.txt").read_bytes()) == "text"


def test_gbk_page_is_html():
    page = '<html><head><meta charset="gb2312"></head><body><p>国家发展改革委</p></body></html>'
    assert sniff(page.encode("gbk")) == "html"
    assert sniff(b"\xef\xbb\xbf" + page.encode("utf-8")) == "html"


def test_markdown_with_a_stray_br_is_text():
    assert sniff("# 关于印发的通知\n\n第一条 为了规范……<br>\n".encode()) == "text"


def test_pdf_with_and_without_leading_junk():
    assert sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") == "pdf"
    assert sniff(b"\r\n\x00junk%PDF-1.4\n") == "pdf"


def test_ofd_is_a_zip_holding_ofd_xml():
    assert sniff(_zip("OFD.xml", "Doc_0/Document.xml")) == "ofd"


@pytest.mark.parametrize(
    "data, says",
    [
        (_zip("word/document.xml", "[Content_Types].xml"), ".docx"),
        (_zip("readme.txt"), "without OFD.xml"),
        (b"PK\x03\x04 not really a zip", "damaged zip"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "Office"),
        (b"Rar!\x1a\x07\x00", "RAR"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip"),
        (b"<html>\x00\x00\x00\x01\x02", "NUL"),
        (bytes(range(0x80, 0x100)) * 8 + b"\x01\x02\x03\x04\x05" * 100, "undecodable"),
    ],
)
def test_binary_input_is_refused_with_one_line(data, says):
    with pytest.raises(ParseError) as err:
        sniff(data)
    assert err.value.reason == "binary"
    assert says in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", "\u3000\u3000\n".encode("utf-8"), b"\xef\xbb\xbf  "])
def test_empty_input_is_refused(data):
    with pytest.raises(ParseError) as err:
        sniff(data)
    assert err.value.reason == "empty"
    assert "\n" not in str(err.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_fuzz_only_parse_errors(data):
    try:
        kind = sniff(data)
    except ParseError as err:
        assert err.reason in ("empty", "binary")
    else:
        assert kind in ("pdf", "ofd", "html", "text")


@pytest.mark.parametrize("unsafe", [b"\x01", b"\x0c", b"\x7f", b"\x1f", "\ufffe".encode(), "\uffff".encode()])
def test_page_bytes_go_to_the_tree_only_without_unsafe_characters(unsafe):
    """A UTF-8 page is parsed from its own bytes only when it holds no character a tree cannot;
    otherwise the text path strips them, and the document text comes out clean either way."""
    from parsers import parse
    from parsers.sniff import sniff_decoded

    page = "<html><body><div class='article_con'><div class='TRS_Editor'><p>第一段{}文字</p><p>第二段</p><p>第三段</p></div></div></body></html>"
    clean = page.format("").encode()
    dirty = page.format("X").encode().replace(b"X", unsafe)
    assert sniff_decoded(clean).tree_ready_utf8 == clean
    assert sniff_decoded(dirty).tree_ready_utf8 is None
    text = parse(dirty, url="https://www.ndrc.gov.cn/xxgk/zcfb/tz/202601/t20260101_1.html").body_text
    assert text.startswith("第一段")
    # What XML cannot hold is stripped; DEL (U+007F) is legal XML, kept like any other character.
    assert not any(ch in text for ch in "\x01\x0c\x1f\ufffe\uffff")


@pytest.mark.parametrize("magic, what", BINARY_MAGIC)
def test_every_known_binary_format_is_named(magic, what):
    with pytest.raises(ParseError) as err:
        sniff(magic + b"\x00\x01\x02\x03" * 8)
    assert err.value.reason == "binary"
    assert str(err.value).startswith(what)


@pytest.mark.parametrize("bom, encoding", BOMS)
def test_every_byte_order_mark_is_read(bom, encoding):
    page = "<html><head><title>通知</title></head><body><p>国家发展改革委关于印发的通知</p></body></html>"
    data = bom + page.encode(encoding)
    kind, decoded, _ready = sniff_decoded(data)
    assert kind == "html"
    assert decoded is not None and decoded[0] == page and decoded[1] == encoding
