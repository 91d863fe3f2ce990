"""What kind of input a file is: "pdf", "ofd", "html" or "text" (a rendering), else ParseError.

Decided from the bytes alone (magic numbers, the OFD container's OFD.xml, markup near the start),
never from a file name or a Content-Type, which the site and users both get wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import NamedTuple

from parsers.encoding import BOM_LEADS, BOMS, decode_utf8_aware
from parsers.errors import ParseError

# A PDF may carry a little junk before its header; readers accept %PDF within the first 1 KiB.
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024

# OFD (GB/T 33190) is a zip container whose root holds OFD.xml.
ZIP_MAGIC = b"PK\x03\x04"
OFD_ENTRY = "ofd.xml"

# Other binary formats a link can lead to, named so the error says what the file was. Two-byte
# magics that plain text can start with ("BM", "MZ") are left to the NUL-byte check.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls/.wps)"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip stream (still compressed)"),
    (b"BZh", "a bzip2 stream"),
    (b"\x28\xb5\x2f\xfd", "a zstd stream (still compressed)"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF media file"),
    (b"\x00\x00\x00\x18ftyp", "an MP4 video"),
    (b"\x00\x00\x00\x20ftyp", "an MP4 video"),
    (b"{\\rtf", "an RTF document"),
)

# Markup that makes a text an HTML page, looked for near the start. A Markdown rendering may
# contain a stray <br>, so only document-level tags (or a tag as the very first thing) count.
HTML_WINDOW = 4096
_HTML_START = re.compile(r"^\s*<(?:!doctype|html|head|body|meta|title|script|div|table|p|span|!--|\?xml)\b", re.I)
_HTML_ANYWHERE = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.I)
# A page cut short within its first tag (`<!DOCTY`, `<htm`) is still a page, with nothing in it:
# read as a text rendering, the stub would become a document whose body is the stub.
_HTML_OPENERS = ("<!doctype html", "<html")

# Share of control characters (other than tab, newline, carriage return, form feed) and U+FFFD
# above which decoded "text" is really binary.
BINARY_CHAR_RATIO = 0.05
BINARY_SAMPLE = 8192
# How much is decoded to take that sample (a few bytes per character at most).
DECODE_WINDOW = BINARY_SAMPLE * 4
# The control characters, as bytes: in UTF-8 each is the single byte of the same value, so they
# are counted on the encoded sample with bytes.translate (a regex scan of CJK text is slow).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
# Every other byte: a page free of the control bytes and the form feed (text to a reader, but no
# character an lxml tree can hold) is left with nothing once these are deleted. Deleting the many
# safe bytes costs two thirds of mapping each byte through a table and comparing (3.3 µs against
# 5.0 µs on a 7 KB page).
_TREE_SAFE_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES + b"\x0c")


_ANY_BINARY_MAGIC = tuple(magic for magic, _ in BINARY_MAGIC)
_ANY_BOM = tuple(bom for bom, _ in BOMS)
_ZIP_MAGICS = (ZIP_MAGIC, b"PK\x05\x06")  # a zip's local file header, or an empty zip's end record
# The first bytes of every magic above: one set look-up tells that a page (which starts with "<"
# or a space) is none of these formats, where testing them costs a call each.
_MAGIC_LEADS = frozenset(magic[:1] for magic in (*_ZIP_MAGICS, *_ANY_BINARY_MAGIC))


def _ofd_or_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n.lower().lstrip("/") for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError) as err:
        raise ParseError("binary", f"a damaged zip archive, not a page or OFD file ({err})") from None
    if OFD_ENTRY in names:
        return "ofd"
    if any(n.startswith("word/") for n in names):
        raise ParseError("binary", "a .docx document, not a page, PDF or OFD file")
    if any(n.startswith("xl/") for n in names):
        raise ParseError("binary", "a .xlsx workbook, not a page, PDF or OFD file")
    raise ParseError("binary", "a zip archive without OFD.xml, not a page, PDF or OFD file")


def sniff(data: bytes) -> str:
    """The kind of input: "pdf", "ofd", "html" or "text".

    Raises ParseError("empty", …) for empty or whitespace-only input and ParseError("binary", …)
    for anything else that is not text (NUL bytes, other archives, images, undecodable bytes).
    """
    return sniff_decoded(data)[0]


class Sniffed(NamedTuple):
    kind: str  # "pdf", "ofd", "html" or "text"
    # decode_bytes(data), when deciding needed all of it (text inputs up to DECODE_WINDOW)
    decoded: tuple[str, str, tuple[str, ...]] | None = None
    # `data` itself, when it is exactly the UTF-8 of the decoded text and holds no character an
    # lxml tree cannot (C0 controls, U+FFFE, U+FFFF): a page parser can take these bytes as they
    # are instead of encoding the text again and checking it a second time.
    tree_ready_utf8: bytes | None = None


def sniff_decoded(data: bytes, charset: str | None = None) -> Sniffed:
    """`sniff`, plus what deciding learnt about a text input (see `Sniffed`), so that the caller
    does not decode or scan the same bytes twice. `charset`: the HTTP header's (see
    `encoding.decode_bytes`)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    elif type(data) is not bytes:
        data = bytes(data)
    if not data or data.isspace():
        raise ParseError("empty", "the input is empty")
    if data.find(PDF_MAGIC, 0, PDF_HEADER_WINDOW) != -1:
        return Sniffed("pdf")
    lead = data[:1]
    if lead in _MAGIC_LEADS:
        if data.startswith(_ZIP_MAGICS):
            return Sniffed(_ofd_or_zip(data))
        if data.startswith(_ANY_BINARY_MAGIC):
            what = next(what for magic, what in BINARY_MAGIC if data.startswith(magic))
            raise ParseError("binary", f"{what}, not a page, PDF or OFD file")

    has_bom = lead in BOM_LEADS and data.startswith(_ANY_BOM)
    if not has_bom and data.find(b"\x00", 0, BINARY_SAMPLE) != -1:
        raise ParseError("binary", "binary data (NUL bytes), not a page, PDF or OFD file")
    whole = len(data) <= DECODE_WINDOW
    text, encoding, warnings, exact = decode_utf8_aware(
        data if whole else data[: _character_boundary(data, DECODE_WINDOW)], is_html=True, charset=charset
    )
    sample = text[:BINARY_SAMPLE]
    if not sample or sample.isspace():
        raise ParseError("empty", "the input holds only whitespace")
    tree_ready = None
    if exact and whole and len(text) <= BINARY_SAMPLE:
        # The sample is all of the input, and the input its UTF-8: count controls on the bytes
        # (a control character is one byte there).
        if not data.translate(None, _TREE_SAFE_BYTES):  # no control byte, no form feed: the usual page
            controls = text.count("\ufffd") if "\ufffd" in text else 0
            if "\ufffe" not in text and "\uffff" not in text:
                tree_ready = data
        else:
            controls = len(data) - len(data.translate(None, _CONTROL_BYTES)) + text.count("\ufffd")
    else:
        encoded = sample.encode("utf-8", "surrogatepass")
        controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES)) + sample.count("\ufffd")
    if controls > BINARY_CHAR_RATIO * len(sample):
        raise ParseError("binary", "binary data (undecodable bytes), not a page, PDF or OFD file")
    # The head is matched in place (`endpos` reads as the string's end): a slice is a copy.
    is_html = (
        _HTML_START.match(sample, 0, HTML_WINDOW) is not None
        or _HTML_ANYWHERE.search(sample, 0, HTML_WINDOW) is not None
        or _html_stub(sample[:HTML_WINDOW])
    )
    kind = "html" if is_html else "text"
    return Sniffed(kind, (text, encoding, warnings) if whole else None, tree_ready)


def _character_boundary(data: bytes, end: int) -> int:
    """`end`, or the start of the UTF-8 character it would cut in half. A window cut inside a
    character is no strict UTF-8; with few other non-ASCII characters in it (a long page's
    scripts and styles first), the declared charset was tried next, and one that reads any
    bytes (EBCDIC) turned the page into a "text" of its markup. Any other bytes move it by at
    most three, which a sample does not mind."""
    for back in range(1, 4):
        byte = data[end - back]
        if byte < 0x80:  # ASCII: no character is cut
            return end
        if byte >= 0xC0:  # the lead byte of a character of 2, 3 or 4 bytes
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return end - back if length > back else end
    return end


def _html_stub(head: str) -> bool:
    """A page cut inside its first tag. Asked only of a text without markup (lower-casing the
    head of every page would cost a tenth of sniffing it); a stub is a few characters long."""
    stub = head.strip()
    if not stub or len(stub) > max(map(len, _HTML_OPENERS)):
        return False
    stub = stub.lower()
    return any(opener.startswith(stub) for opener in _HTML_OPENERS)
