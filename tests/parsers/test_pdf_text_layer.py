"""parsers.pdf on a text layer that maps glyphs to no character: a file written by hand, whose
font's ToUnicode map gives a code a lone half of a UTF-16 pair (a broken PDF writer's map).

The rest of the text is read, and the document is made: a lone surrogate is no character, and one
reaching the document's hash raised a traceback there.
"""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.pdf import pdf_paragraphs


def pdf_with_to_unicode(mapping: dict[int, str], shown: bytes) -> bytes:
    """A one-page PDF showing the codes `shown` in Helvetica, whose ToUnicode CMap maps each code
    of `mapping` to the UTF-16BE units written in hex."""
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Custom def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(mapping)} beginbfchar\n"
        + "".join(f"<{code:02X}> <{units}>\n" for code, units in mapping.items())
        + "endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()
    content = b"BT /F1 24 Tf 72 700 Td (" + shown + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# Codes of the hand-written font: B 中, C 文, D 𠀀 (U+20000, a pair of surrogates in UTF-16).
TEXT_MAP = {0x42: "4E2D", 0x43: "6587", 0x44: "D840DC00"}


def test_the_hand_written_pdf_is_read_as_its_map_says():
    # the baseline: a map of whole characters, a character outside the BMP among them
    assert pdf_paragraphs(pdf_with_to_unicode(TEXT_MAP, b"BCDBC")) == (("中文\U00020000中文",), ())


@pytest.mark.parametrize("units", ["DC00", "DFFF", "D800"], ids=["low half", "last low half", "high half"])
def test_a_code_mapped_to_half_a_surrogate_pair_is_no_character(units):
    data = pdf_with_to_unicode({**TEXT_MAP, 0x41: units}, b"BCABC")
    assert pdf_paragraphs(data) == (("中文中文",), ())
    assert parse(data).body_text == "中文中文"
