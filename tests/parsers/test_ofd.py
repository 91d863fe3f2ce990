"""parsers.ofd: OFD attachments written by replica.files read back paragraph for paragraph,
hand-written OFD pages (DeltaX "g" lists, CTM, letter-spacing, no namespace), broken and hostile zips."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from replica.files import make_ofd
from parsers import ofd as ofd_module
from parsers.errors import ParseError
from parsers.ofd import ofd_paragraphs
from test_pdf import (
    CHAPTERS,
    CN,
    HEADER,
    ITEMS_NOTICE,
    ITEMS_TITLE,
    NOTICE_SIGNATURE,
    NOTICE_TITLE,
    ORDER_TITLE,
    notice_paragraphs,
    order_paragraphs,
)

NS = "http://www.ofdspec.org/2016"


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def zipped(files: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def one_page_ofd(content: str, *, ns: bool = True) -> bytes:
    """A minimal OFD around one page's <Layer> content (hand-written TextObjects)."""
    p = "ofd:" if ns else ""
    decl = f' xmlns:ofd="{NS}"' if ns else ""
    return zipped({
        "OFD.xml": f'<{p}OFD{decl} Version="1.0"><{p}DocBody><{p}DocRoot>Doc_0/Document.xml</{p}DocRoot>'
                   f"</{p}DocBody></{p}OFD>",
        "Doc_0/Document.xml": f'<{p}Document{decl}><{p}CommonData><{p}PageArea><{p}PhysicalBox>0 0 210 297'
                              f"</{p}PhysicalBox></{p}PageArea></{p}CommonData><{p}Pages>"
                              f'<{p}Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></{p}Pages></{p}Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<{p}Page{decl}><{p}Content><{p}Layer ID="2">{content}'
                                          f"</{p}Layer></{p}Content></{p}Page>",
    })


def text_object(x: float, y: float, text: str, *, size: float = 5.6, delta: str | None = None,
                ctm: str | None = None, ns: str = "ofd:") -> str:
    attrs = f' DeltaX="{delta}"' if delta else ""
    ctm_attr = f' CTM="{ctm}"' if ctm else ""
    return (f'<{ns}TextObject ID="9" Boundary="{x} {y} 160 8" Size="{size}"{ctm_attr}>'
            f'<{ns}TextCode X="0" Y="{size}"{attrs}>{text}</{ns}TextCode></{ns}TextObject>')


# --- round trips -------------------------------------------------------------------------------


def test_notice_reads_back_paragraph_for_paragraph():
    body = notice_paragraphs()
    data = make_ofd(body, title=NOTICE_TITLE, header=HEADER, signature=NOTICE_SIGNATURE)
    parts = entries(data)
    pages = sorted(n for n in parts if n.startswith("Doc_0/Pages/"))
    assert len(pages) >= 4
    # the header lives on the template page only; the page numbers on the pages
    assert HEADER.encode() in parts["Doc_0/Tpls/Tpl_0/Content.xml"]
    assert not any(HEADER.encode() in parts[p] for p in pages)
    paragraphs, warnings = ofd_paragraphs(data)
    assert warnings == ()
    assert paragraphs[0] + paragraphs[1] == NOTICE_TITLE
    assert paragraphs[2:] == (*body, *NOTICE_SIGNATURE)


def test_order_reads_back_with_every_article_and_chapter():
    body = order_paragraphs()
    data = make_ofd(body, title=ORDER_TITLE, header=HEADER)
    paragraphs, warnings = ofd_paragraphs(data)
    assert warnings == ()
    assert paragraphs == (ORDER_TITLE, *body)
    assert [p.split(" ")[0] for p in paragraphs if p.startswith("第") and "条 " in p[:6]] == [f"第{c}条" for c in CN]
    assert [p for p in paragraphs if p.startswith("第") and "章 " in p[:5]] == list(CHAPTERS.values())


def test_notice_numbered_on_four_levels_reads_back():
    data = make_ofd(ITEMS_NOTICE, title=ITEMS_TITLE, signature=("国家发展改革委", "2026年3月2日"))
    assert ofd_paragraphs(data) == ((ITEMS_TITLE, *ITEMS_NOTICE, "国家发展改革委", "2026年3月2日"), ())


def test_writer_puts_text_objects_out_of_reading_order():
    """What the reader must undo: split lines written right half first, page numbers written first."""
    data = make_ofd(order_paragraphs(), title=ORDER_TITLE)
    page = etree.fromstring(entries(data)["Doc_0/Pages/Page_1/Content.xml"])
    objects = page.findall(f".//{{{NS}}}TextObject")
    assert "—" in objects[0].findtext(f"{{{NS}}}TextCode")
    boxes = [[float(v) for v in o.get("Boundary").split()] for o in objects]
    reversed_pairs = [
        (a, b) for a, b in zip(boxes, boxes[1:]) if abs(a[1] - b[1]) < 0.01 and a[0] > b[0]
    ]
    assert len(reversed_pairs) >= 5
    assert any(" g " in " " + o.find(f"{{{NS}}}TextCode").get("DeltaX", "") for o in objects)


def test_template_header_is_read_and_dropped_only_when_running():
    one_page = make_ofd(["第一条 本办法自发布之日起施行。"], header=HEADER)
    assert ofd_paragraphs(one_page)[0] == (HEADER, "第一条 本办法自发布之日起施行。")
    many = make_ofd(["第一条 本办法自发布之日起施行。" * 40], header=HEADER)
    assert ofd_paragraphs(many)[0] == ("第一条 本办法自发布之日起施行。" * 40,)


def test_same_input_same_bytes():
    body = order_paragraphs()
    assert make_ofd(body, title=ORDER_TITLE, header=HEADER) == make_ofd(body, title=ORDER_TITLE, header=HEADER)


def _rewrite(data: bytes, fix) -> bytes:
    return zipped({name: fix(name, content) for name, content in entries(data).items()})


def test_namespace_with_other_prefix_default_or_none():
    body = notice_paragraphs()[:8]
    data = make_ofd(body, title="关于推进绿色发展的意见", header=HEADER)
    expected = ofd_paragraphs(data)
    assert expected[0][1:] == tuple(body)

    def default_ns(_, c):
        return c.replace(b"ofd:", b"").replace(b"xmlns:ofd=", b"xmlns=")

    def other_prefix(_, c):
        return c.replace(b"ofd:", b"x:").replace(b"xmlns:ofd=", b"xmlns:x=")

    def no_ns(_, c):
        return re.sub(rb' xmlns:ofd="[^"]*"', b"", c).replace(b"ofd:", b"")

    for fix in (default_ns, other_prefix, no_ns):
        assert ofd_paragraphs(_rewrite(data, fix)) == expected, fix.__name__


def test_multiple_documents_first_is_read_with_a_warning():
    data = make_ofd(["第一条 第一份文件。"])
    parts = entries(data)
    second = make_ofd(["第一条 第二份文件。"])
    for name, content in entries(second).items():
        if name.startswith("Doc_0/"):
            parts["Doc_1/" + name[len("Doc_0/"):]] = content
    parts["OFD.xml"] = parts["OFD.xml"].replace(
        b"</ofd:DocBody>", b"</ofd:DocBody><ofd:DocBody><ofd:DocRoot>Doc_1/Document.xml</ofd:DocRoot></ofd:DocBody>"
    )
    paragraphs, warnings = ofd_paragraphs(zipped(parts))
    assert paragraphs == ("第一条 第一份文件。",)
    assert warnings == ("OFD holds 2 documents: only the first was read",)


# --- hand-written pages ------------------------------------------------------------------------


def test_delta_x_g_lists_letter_spacing_and_split_runs():
    size = 5.6
    content = "".join([
        # the right half of a line first, then its left half; "g 3 5.6" = 5.6 three times
        text_object(20 + 4 * size, 40, "发布之日", delta=f"g 3 {size}"),
        text_object(20, 40, "本办法自", delta=f"g 3 {size}"),
        text_object(20 + 8 * size, 40, "起施行。", delta=f"{size} g 2 {size}"),
        # a letter-spaced signature: three em from character to character
        text_object(120, 80, "外交部", delta=f"g 2 {3 * size}"),
        # Latin placed with its own advances
        text_object(20, 60, "GB/T", delta="2.8 2.8 2.8"),
        text_object(20 + 4 * 2.8 + 1.5, 60, "33190", delta="g 4 2.8"),
    ])
    paragraphs, warnings = ofd_paragraphs(one_page_ofd(content))
    assert paragraphs == ("本办法自发布之日起施行。", "GB/T 33190", "外 交 部")
    assert warnings == ()


def test_indents_typed_as_full_width_spaces():
    size = 5.6
    content = "".join([
        text_object(20, 40, "　　第一条　为了规范政策文件的管理工作，提高文件质量，根据", delta=f"g 27 {size}"),
        text_object(20, 50, "有关法律法规，制定本办法。", delta=f"g 12 {size}"),
        text_object(20, 60, "　　第二条　本办法自发布之日起施行。", delta=f"g 17 {size}"),
    ])
    assert ofd_paragraphs(one_page_ofd(content)) == ((
        "第一条 为了规范政策文件的管理工作，提高文件质量，根据有关法律法规，制定本办法。",
        "第二条 本办法自发布之日起施行。",
    ), ())


def test_text_code_without_position_continues_and_ctm_scales():
    content = (
        '<ofd:TextObject ID="3" Boundary="20 30 100 10" Size="5">'
        '<ofd:TextCode X="0" Y="5" DeltaX="g 2 5">第一条</ofd:TextCode>'
        '<ofd:TextCode DeltaX="g 3 5">本办法自</ofd:TextCode>'
        "</ofd:TextObject>"
        # drawn at half size then scaled up by two: the same line, continued
        '<ofd:TextObject ID="4" Boundary="55 30 100 10" Size="2.5" CTM="2 0 0 2 0 0">'
        '<ofd:TextCode X="0" Y="2.5" DeltaX="g 4 2.5">发布之日起施行。</ofd:TextCode>'
        "</ofd:TextObject>"
    )
    assert ofd_paragraphs(one_page_ofd(content))[0] == ("第一条本办法自发布之日起施行。",)


def test_no_text_gives_a_warning():
    image = '<ofd:ImageObject ID="5" Boundary="0 0 210 297" ResourceID="6"/>'
    paragraphs, warnings = ofd_paragraphs(one_page_ofd(image))
    assert paragraphs == ()
    assert len(warnings) == 1 and "no text" in warnings[0]


# --- broken and hostile files ------------------------------------------------------------------


def _assert_unreadable(data: bytes, words: str | None = None) -> ParseError:
    with pytest.raises(ParseError) as info:
        ofd_paragraphs(data)
    err = info.value
    assert err.reason == "unreadable_ofd"
    assert str(err) and "\n" not in str(err) and len(str(err)) <= 300
    if words:
        assert words in str(err)
    return err


def test_broken_files_raise_one_line_parse_errors():
    good = make_ofd(order_paragraphs()[:10], title=ORDER_TITLE)
    for cut in (0, 10, len(good) // 2, len(good) - 10):
        _assert_unreadable(good[:cut])
    _assert_unreadable(b"\x00\xff" * 300, "not a zip")
    _assert_unreadable(b"%PDF-1.7 not an ofd", "not a zip")
    _assert_unreadable(zipped({"word/document.xml": "<w:document/>", "[Content_Types].xml": "<Types/>"}), "no OFD.xml")
    _assert_unreadable(zipped({"OFD.xml": "<ofd:OFD xmlns:ofd='x'><ofd:DocBody>"}), "not well-formed")
    _assert_unreadable(zipped({"OFD.xml": "<html><body/></html>"}), "not an OFD")
    _assert_unreadable(zipped({"OFD.xml": f"<ofd:OFD xmlns:ofd='{NS}'><ofd:DocBody/></ofd:OFD>"}), "DocRoot")
    parts = entries(good)
    del parts["Doc_0/Document.xml"]
    _assert_unreadable(zipped(parts), "Document.xml is missing")


def test_a_broken_page_is_skipped_with_a_warning_all_broken_is_an_error():
    data = make_ofd(["第一条 本办法自发布之日起施行。" * 40])
    parts = entries(data)
    pages = sorted(n for n in parts if "/Pages/" in n)
    assert len(pages) >= 2
    parts[pages[1]] = b"<ofd:Page xmlns:ofd='http://www.ofdspec.org/2016'><ofd:Content>"
    paragraphs, warnings = ofd_paragraphs(zipped(parts))
    assert paragraphs and paragraphs[0].startswith("第一条")
    assert warnings == ("OFD page(s) 2 could not be read and were skipped",)
    for page in pages:
        parts[page] = b"<<<"
    _assert_unreadable(zipped(parts), "no page could be read")


def test_entities_are_not_expanded():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = one_page_ofd(text_object(20, 40, "&c;第一条"))
    parts = entries(data)
    page = "Doc_0/Pages/Page_0/Content.xml"
    parts[page] = bomb.encode() + parts[page]
    try:
        paragraphs, _ = ofd_paragraphs(zipped(parts))
    except ParseError as err:
        assert err.reason == "unreadable_ofd"
    else:
        assert "aaaaaaaaaa" not in "".join(paragraphs)


def test_zip_bomb_is_refused():
    data = one_page_ofd(text_object(20, 40, "第一条"))
    parts = entries(data)
    page = "Doc_0/Pages/Page_0/Content.xml"
    parts[page] = parts[page].replace(b"</ofd:Layer>", b" " * (ofd_module.MAX_XML_BYTES + 1) + b"</ofd:Layer>")
    bomb = zipped(parts)
    assert len(bomb) < 200_000  # tiny on the wire, past the limit inflated
    _assert_unreadable(bomb, "refused")


def test_too_many_entries_is_refused():
    parts = entries(one_page_ofd(text_object(20, 40, "第一条")))
    for n in range(ofd_module.MAX_ENTRIES + 1):
        parts[f"Res/{n}.png"] = b""
    _assert_unreadable(zipped(parts), "zip entries")


SMALL_OFD = make_ofd(["第一条 为了规范管理，制定本办法。", "第二条 本办法自发布之日起施行。"], title="管理办法", header=HEADER)
SMALL_PARTS = entries(SMALL_OFD)


def _check(data: bytes) -> None:
    try:
        paragraphs, warnings = ofd_paragraphs(data)
    except ParseError as err:
        assert err.reason == "unreadable_ofd" and "\n" not in str(err)
    else:
        assert isinstance(paragraphs, tuple) and all(isinstance(p, str) and p for p in paragraphs)
        assert isinstance(warnings, tuple)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_zip_bytes_only_ever_raise_parse_error(data):
    raw = bytearray(SMALL_OFD)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del raw[pos : pos + data.draw(st.integers(1, 64))]
        elif action == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=32))
        else:
            del raw[pos:]
    _check(bytes(raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SMALL_PARTS)), st.data())
def test_fuzzed_xml_inside_a_sound_zip_only_ever_raises_parse_error(name, data):
    parts = dict(SMALL_PARTS)
    text = bytearray(parts[name])
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, max(len(text) - 1, 0)))
        piece = data.draw(st.sampled_from([b"<", b">", b'"', b"g", b" g 9", b"-1e309", b"&", b"", b"\x00",
                                           b"nan", b"</ofd:TextObject>", b"1 2", b"\xff"]))
        text[pos : pos + data.draw(st.integers(0, 8))] = piece
    parts[name] = bytes(text)
    _check(zipped(parts))
