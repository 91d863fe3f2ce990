"""Text of PDF attachments: `pdf_paragraphs(data) -> (paragraphs, warnings)` via pypdfium2.

Each page's characters come from pdfium's text page with their *loose* boxes (font ascent to
descent): tight glyph boxes are empty when a font is not embedded and pdfium has no substitute
glyphs, which is common in government PDFs. Characters are grouped into runs (one baseline, left
to right) and handed to `parsers.layout`, which rebuilds the paragraphs.

pdfium is told to use no system fonts (`SYSTEM_FONTS`): the text never came from them, only the
glyph shapes a renderer would draw, and looking them up made reading a PDF depend on the fonts of
the machine and cost most of its time.
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.errors import ParseError
from parsers.layout import Line, lines_to_paragraphs

# Characters of one run sit on one baseline: a baseline moving by more than this share of the
# character size starts a new run (a new line, a superscript, a table cell on another row).
BASELINE_TOLERANCE = 0.3
# A horizontal jump of more than this many characters starts a new run; layout puts a space
# between runs of one row when the gap is wide.
RUN_GAP_EM = 1.0
# pdfium's text page ends lines with generated CR/LF characters.
_LINE_BREAKS = {"\r", "\n"}
# A complete PDF ends with %%EOF; pdfium rebuilds a cut file from what is left, so a download cut
# short would otherwise yield a silently shortened text. Writers may add a little junk after it.
EOF_WINDOW = 2048
# Pages beyond this are not read (a PDF claiming more pages is broken or hostile).
MAX_PAGES = 5000
# pdfium substitutes a system font for every font a PDF does not embed, and reads that font's
# whole file (a CJK .ttc is 20-30 MB) once per document, then loads glyph outlines from it for
# each character's tight box: about 80 % of the time a 公文 PDF took, for nothing this module
# reads: characters come from the PDF's CMaps and encodings (built into pdfium), loose boxes from
# its widths and font descriptors. Where a PDF lacks those, pdfium falls back on its built-in
# fonts, the same on every machine, so the same PDF reads the same everywhere.
SYSTEM_FONTS = False


if not SYSTEM_FONTS:
    pdfium_c.FPDF_SetSystemFontInfo(None)  # process-wide: pdfium's font mapper, for every document


def pdf_paragraphs(data: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The paragraphs of a PDF in reading order, and warnings; ParseError("unreadable_pdf") if not a PDF."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParseError("unreadable_pdf", f"PDF input must be bytes, not {type(data).__name__}")
    data = bytes(data)
    if b"%PDF-" not in data[:1024]:
        raise ParseError("unreadable_pdf", "not a PDF: no %PDF- header")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise ParseError("unreadable_pdf", f"truncated PDF: no %%EOF in its last {EOF_WINDOW} bytes")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise ParseError("unreadable_pdf", f"unreadable PDF: {_one_line(err)}") from None
    warnings: list[str] = []
    lines: list[Line] = []
    try:
        n_pages = len(doc)
        if n_pages == 0:
            raise ParseError("unreadable_pdf", "unreadable PDF: it has no pages")
        if n_pages > MAX_PAGES:
            warnings.append(f"PDF has {n_pages} pages: only the first {MAX_PAGES} were read")
        chars = 0
        failed: list[int] = []
        for index in range(min(n_pages, MAX_PAGES)):
            try:
                page_lines, page_chars = _page_lines(doc, index)
            except pdfium.PdfiumError:
                failed.append(index + 1)
                continue
            lines.extend(page_lines)
            chars += page_chars
        if failed and len(failed) == min(n_pages, MAX_PAGES):
            raise ParseError("unreadable_pdf", "unreadable PDF: no page could be loaded")
        if failed:
            warnings.append(f"PDF page(s) {', '.join(map(str, failed[:10]))} could not be read")
    finally:
        doc.close()
    if not chars:
        warnings.append(
            f"PDF has no text layer ({n_pages} page(s), probably scanned images): no text was extracted"
        )
        return (), tuple(warnings)
    paragraphs, layout_warnings = lines_to_paragraphs(lines)
    return paragraphs, tuple(warnings) + layout_warnings


def _page_lines(doc: pdfium.PdfDocument, index: int) -> tuple[list[Line], int]:
    page = doc[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            return _runs(textpage, index + 1, height)
        finally:
            textpage.close()
    finally:
        page.close()


def _c_call(fn, restype=ctypes.c_int):
    """pdfium's C function `fn` without the binding's argument conversion (~0.5 µs a call less).

    For the per-character calls of `_runs`, made with arguments of the C types already: the
    text page handle, a Python int index and a byref() to an FS_RECTF.
    """
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)


_loose_char_box = _c_call(pdfium_c.FPDFText_GetLooseCharBox)
_is_generated = _c_call(pdfium_c.FPDFText_IsGenerated)


def _runs(textpage: pdfium.PdfTextPage, page_no: int, height: float) -> tuple[list[Line], int]:
    """The page's runs of characters (one baseline, left to right) and how many are not space.

    One pass over the characters with the current run's box in locals; per character only the
    calls that can change the outcome (a box for every drawn character, `IsGenerated` for
    spaces inside a run).
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    edges = (ctypes.c_float * 4).from_buffer(rect)  # left, top, right, bottom
    loose_char_box, is_generated = _loose_char_box, _is_generated
    lines: list[Line] = []
    chars: list[str] = []
    in_run = False
    # the current run: its box (y downwards), font size and baseline
    left_edge = top_edge = right_edge = bottom_edge = size = baseline = 0.0
    real = 0

    # all code units in one call: pdfium keeps one UTF-16 unit per character index
    buffer = (ctypes.c_ushort * (count + 1))()
    got = pdfium_c.FPDFText_GetText(raw, 0, count, buffer) if count else 0
    units = buffer[: max(got - 1, 0)] if got else []
    if len(units) != count:  # never seen; fall back to asking character by character
        units = [pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(count)]
    high_surrogate = None
    for i, code in enumerate(units):
        if 0xD800 <= code <= 0xDFFF:
            if code <= 0xDBFF:
                high_surrogate = code
                continue
            if high_surrogate is None:  # a low surrogate alone (a broken ToUnicode map): no character
                continue
            code = 0x10000 + ((high_surrogate - 0xD800) << 10) + (code - 0xDC00)
        high_surrogate = None
        ch = chr(code) if 0 < code < 0x110000 else ""
        if not ch or ch in _LINE_BREAKS:
            # the run ends: a line break, or a code unit that is no character
            if in_run and "".join(chars).strip():
                lines.append(Line(page_no, left_edge, top_edge, right_edge, bottom_edge, "".join(chars), size or None))
            chars.clear()
            in_run = False
            continue
        space = ch.isspace()
        if space:
            if not in_run:
                # leading spaces (indents typed as 　　) must not move a line's left edge; one
                # space is kept in the text, where it may separate this run from the one before
                if not chars:
                    chars.append(" ")
                continue
            # pdfium generates only spaces and line breaks: ask about those alone. Generated
            # spaces (pdfium saw a gap) and spaces without a box join the current run.
            if is_generated(raw, i) == 1 or not loose_char_box(raw, i, rect_ref):
                chars.append(" ")
                continue
        elif not loose_char_box(raw, i, rect_ref):
            continue  # a character without a box is left out
        left, pdf_top, right, pdf_bottom = edges[:]  # a slice: 4x faster than unpacking the array
        top, bottom = height - pdf_top, height - pdf_bottom
        if bottom < top:
            top, bottom = bottom, top
        # the loose box spans the font's ascent to descent: its height stands for the size until
        # a run starts, where the font size is read once
        char_size = bottom - top
        if in_run:
            larger = char_size if char_size > size else size  # max(size, char_size)
            if (
                abs(bottom - baseline) > BASELINE_TOLERANCE * (1e-6 if 1e-6 > larger else larger)
                or left < left_edge - 0.5 * char_size
                or left - right_edge > RUN_GAP_EM * larger
            ):
                if "".join(chars).strip():
                    lines.append(Line(page_no, left_edge, top_edge, right_edge, bottom_edge, "".join(chars), size or None))
                chars.clear()
                in_run = False
        if not in_run:
            in_run = True
            left_edge, top_edge, right_edge, bottom_edge = left, top, right, bottom
            size = pdfium_c.FPDFText_GetFontSize(raw, i) or char_size
            baseline = bottom
        else:
            if left < left_edge:
                left_edge = left
            if top < top_edge:
                top_edge = top
            if right > right_edge:
                right_edge = right
            if bottom > bottom_edge:
                bottom_edge = bottom
        chars.append(ch)
        if not space:
            real += 1
    if in_run and "".join(chars).strip():
        lines.append(Line(page_no, left_edge, top_edge, right_edge, bottom_edge, "".join(chars), size or None))
    return lines, real


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
