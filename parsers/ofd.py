"""Text of OFD attachments (GB/T 33190): `ofd_paragraphs(data) -> (paragraphs, warnings)`.

An OFD is a zip: `OFD.xml` → `DocBody/DocRoot` → `Document.xml` → `Pages/Page@BaseLoc` → each
page's `Content.xml`, whose `Layer`s hold `TextObject`s (`Boundary="x y w h"`, `Size`, optional
`CTM`) of `TextCode` runs (`X`, `Y` = baseline relative to the boundary, `DeltaX`/`DeltaY` gaps
between characters, "g N v" repeating v N times). Pages may draw `Template` pages (running
headers live there). Every character is placed, runs are cut where a line breaks or a wide gap
opens, and `parsers.layout` rebuilds lines and paragraphs. The namespace
`http://www.ofdspec.org/2016` is accepted with or without prefix, or missing. zipfile + lxml only.
"""

from __future__ import annotations

import io
import posixpath
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from parsers.errors import ParseError
from parsers.layout import Line, lines_to_paragraphs

# --- zip bomb and size guards ------------------------------------------------------------------
# An OFD of a few hundred pages has a few thousand entries (pages, images, fonts).
MAX_ENTRIES = 20_000
# One XML part larger than this is not a real page description.
MAX_XML_BYTES = 32 * 1024 * 1024
# All XML read from one file together (inflated), whatever the headers claim.
MAX_TOTAL_XML_BYTES = 256 * 1024 * 1024
# Pages beyond this are not read.
MAX_PAGES = 5000

# --- placing characters ------------------------------------------------------------------------
# Without a DeltaX, a wide (CJK) character advances one em, any other half an em.
WIDE_ADVANCE_EM = 1.0
NARROW_ADVANCE_EM = 0.5
# A character further than this beyond where the previous one ended starts a new run (letter-
# spaced signatures, words placed apart); layout turns such gaps into one space.
GAP_SPLIT_EM = 0.8
# A baseline moving by more than this share of the size starts a new run (DeltaY, next line).
BASELINE_TOLERANCE = 0.3
# Share of the size above and below the baseline given to a character's box.
ASCENT, DESCENT = 0.88, 0.12

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)
# What broken zips and XML raise; any of them means the file is unreadable, never a traceback.
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    NotImplementedError,
    RuntimeError,
    struct.error,
    etree.LxmlError,
    etree.XMLSyntaxError,
)


def ofd_paragraphs(data: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The paragraphs of an OFD in reading order, and warnings; ParseError("unreadable_ofd") if broken."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _error(f"OFD input must be bytes, not {type(data).__name__}")
    try:
        reader = _Package(bytes(data))
        return reader.paragraphs()
    except ParseError:
        raise
    except _BROKEN as err:
        raise _error(f"unreadable OFD: {str(err) or type(err).__name__}") from None


# Longest error message: lxml and zipfile messages can run long.
MAX_MESSAGE = 300


def _error(message: str) -> ParseError:
    """The one error of this module, its message on one line."""
    return ParseError("unreadable_ofd", " ".join(message.split())[:MAX_MESSAGE])


@dataclass
class _Glyph:
    x: float
    y: float  # baseline
    size: float
    ch: str


class _Package:
    def __init__(self, data: bytes):
        if not data.startswith(b"PK"):
            raise _error("not an OFD: not a zip file")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as err:
            raise _error(f"not an OFD: broken zip ({err})") from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _error(f"refused OFD: {len(infos)} zip entries (limit {MAX_ENTRIES})")
        self.names: dict[str, zipfile.ZipInfo] = {}
        self.lower: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = posixpath.normpath(info.filename.replace("\\", "/").lstrip("/"))
            self.names.setdefault(name, info)
            self.lower.setdefault(name.lower(), info)
        self.read_total = 0
        self.warnings: list[str] = []
        self.templates: dict[str, list[Line] | None] = {}

    # -- files --------------------------------------------------------------------------------
    def _resolve(self, base_dir: str, loc: str) -> str:
        loc = loc.strip().replace("\\", "/")
        path = loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc)
        return posixpath.normpath(path)

    def _xml(self, path: str):
        info = self.names.get(path) or self.lower.get(path.lower())
        if info is None:
            raise _error(f"broken OFD: {path} is missing")
        if info.file_size > MAX_XML_BYTES:
            raise _error(f"refused OFD: {path} inflates to {info.file_size} bytes")
        with self.zip.open(info) as fh:
            raw = fh.read(MAX_XML_BYTES + 1)  # headers can lie about sizes: never read past the cap
        self.read_total += len(raw)
        if len(raw) > MAX_XML_BYTES or self.read_total > MAX_TOTAL_XML_BYTES:
            raise _error(f"refused OFD: {path} inflates past the size limit")
        try:
            return etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as err:
            raise _error(f"broken OFD: {path} is not well-formed XML ({err})") from None

    # -- structure ----------------------------------------------------------------------------
    def paragraphs(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if "ofd.xml" not in self.lower:
            raise _error("not an OFD: the zip has no OFD.xml")
        root = self._xml("OFD.xml")
        if _local(root) != "OFD":
            raise _error(f"not an OFD: OFD.xml holds <{_local(root)}>")
        doc_roots = [
            (r.text or "").strip() for body in _children(root, "DocBody") for r in _children(body, "DocRoot")
        ]
        doc_roots = [d for d in doc_roots if d]
        if not doc_roots:
            raise _error("broken OFD: OFD.xml names no DocRoot")
        if len(doc_roots) > 1:
            self.warnings.append(f"OFD holds {len(doc_roots)} documents: only the first was read")
        doc_path = self._resolve("", doc_roots[0])
        doc_dir = posixpath.dirname(doc_path)
        document = self._xml(doc_path)

        template_locs: dict[str, str] = {}
        for common in _children(document, "CommonData"):
            for tpl in _children(common, "TemplatePage"):
                if tpl.get("ID") and tpl.get("BaseLoc"):
                    template_locs[tpl.get("ID")] = self._resolve(doc_dir, tpl.get("BaseLoc"))
        page_locs = [
            p.get("BaseLoc")
            for pages in _children(document, "Pages")
            for p in _children(pages, "Page")
            if p.get("BaseLoc")
        ]
        if not page_locs:
            raise _error("broken OFD: the document has no pages")
        if len(page_locs) > MAX_PAGES:
            self.warnings.append(f"OFD has {len(page_locs)} pages: only the first {MAX_PAGES} were read")
            page_locs = page_locs[:MAX_PAGES]

        lines: list[Line] = []
        failed: list[int] = []
        for number, loc in enumerate(page_locs, start=1):
            path = self._resolve(doc_dir, loc)
            try:
                page = self._xml(path)
            except ParseError as err:
                if str(err).startswith("refused"):
                    raise
                failed.append(number)
                continue
            lines.extend(_page_lines(page, number))
            for ref in _children(page, "Template"):
                lines.extend(self._template_lines(ref.get("TemplateID"), template_locs, number))
        if len(failed) == len(page_locs):
            raise _error("broken OFD: no page could be read")
        if failed:
            shown = ", ".join(map(str, failed[:10]))
            self.warnings.append(f"OFD page(s) {shown} could not be read and were skipped")
        if not lines:
            self.warnings.append(
                f"OFD has no text ({len(page_locs)} page(s), probably scanned images): no text was extracted"
            )
            return (), tuple(self.warnings)
        paragraphs, layout_warnings = lines_to_paragraphs(lines)
        return paragraphs, tuple(self.warnings) + layout_warnings

    def _template_lines(self, template_id: str | None, locs: dict[str, str], number: int) -> list[Line]:
        if not template_id or template_id not in locs:
            if template_id:
                self.warnings.append(f"OFD page {number} uses a template ({template_id}) the document lacks")
            return []
        if template_id not in self.templates:
            try:
                self.templates[template_id] = _page_lines(self._xml(locs[template_id]), 0)
            except ParseError as err:
                if str(err).startswith("refused"):
                    raise
                self.warnings.append(f"OFD template {template_id} could not be read")
                self.templates[template_id] = None
        return [
            Line(number, ln.x0, ln.y0, ln.x1, ln.y1, ln.text, ln.size) for ln in self.templates[template_id] or ()
        ]


# --- pages -------------------------------------------------------------------------------------


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _children(el, name: str):
    return [c for c in el if _local(c) == name]


def _floats(value: str | None) -> list[float]:
    if not value:
        return []
    return [float(v) for v in value.replace(",", " ").split()]


def _deltas(value: str | None) -> list[float] | None:
    """Expand a DeltaX/DeltaY list ("g 3 5.2 1.1" → [5.2, 5.2, 5.2, 1.1]); None if malformed."""
    if not value or not value.strip():
        return []
    out: list[float] = []
    tokens = value.replace(",", " ").split()
    i = 0
    try:
        while i < len(tokens):
            if tokens[i] == "g":
                n = int(float(tokens[i + 1]))
                if n < 0 or n > 100_000:
                    return None
                out.extend([float(tokens[i + 2])] * n)
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except (IndexError, ValueError):
        return None
    return out


def _nominal(ch: str) -> float:
    wide = unicodedata.east_asian_width(ch) in ("W", "F", "A")
    return WIDE_ADVANCE_EM if wide else NARROW_ADVANCE_EM


def _page_lines(page, number: int) -> list[Line]:
    lines: list[Line] = []
    for content in _children(page, "Content"):
        for obj in content.iter():
            if _local(obj) == "TextObject":
                try:
                    lines.extend(_text_object_lines(obj, number))
                except (ValueError, IndexError):
                    continue  # a broken number in one object: skip that object only
    return lines


def _text_object_lines(obj, number: int) -> list[Line]:
    boundary = _floats(obj.get("Boundary"))
    bx, by = (boundary[0], boundary[1]) if len(boundary) >= 2 else (0.0, 0.0)
    bright = bx + boundary[2] if len(boundary) >= 4 else None
    size = float(obj.get("Size") or 0) or 3.5
    ctm = _floats(obj.get("CTM"))
    if len(ctm) != 6:
        ctm = []
    scale = abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) ** 0.5 if ctm else 1.0
    glyphs: list[_Glyph] = []
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = code.text or ""
        if not text:
            continue
        if code.get("X") is not None:
            x = float(code.get("X"))
        if code.get("Y") is not None:
            y = float(code.get("Y"))
        dx = _deltas(code.get("DeltaX")) or []
        dy = _deltas(code.get("DeltaY")) or []
        for i, ch in enumerate(text):
            if ctm:
                a, b, c, d, e, f = ctm
                px, py = a * x + c * y + e, b * x + d * y + f
            else:
                px, py = x, y
            glyphs.append(_Glyph(bx + px, by + py, size * scale, ch))
            x += dx[i] if i < len(dx) else size * _nominal(ch)
            y += dy[i] if i < len(dy) else 0.0
    lines: list[Line] = []
    run: list[_Glyph] = []
    for g in glyphs:
        if run:
            prev = run[-1]
            end = prev.x + prev.size * _nominal(prev.ch)
            if (
                abs(g.y - prev.y) > BASELINE_TOLERANCE * g.size
                or g.x < prev.x - 0.1 * g.size
                or g.x - end > GAP_SPLIT_EM * g.size
            ):
                lines.append(_run_line(run, number, None))
                run = []
        run.append(g)
    if run:
        lines.append(_run_line(run, number, bright if not ctm else None))
    return [ln for ln in lines if ln.text.strip()]


def _run_line(run: list[_Glyph], number: int, right_bound: float | None) -> Line:
    size = max(g.size for g in run)
    # leading spaces (indents typed as 　　) must not move the left edge; they stay in the text,
    # where a space may separate this run from the one before
    first = next((g for g in run if not g.ch.isspace()), run[0])
    last = run[-1]
    x1 = last.x + last.size * _nominal(last.ch)
    if right_bound is not None and last.x < right_bound < x1:
        x1 = right_bound  # the boundary says where the last glyph really ends
    baseline = max(g.y for g in run)
    return Line(
        page=number,
        x0=first.x,
        y0=min(g.y for g in run) - ASCENT * size,
        x1=x1,
        y1=baseline + DESCENT * size,
        text="".join(g.ch for g in run),
        size=size,
    )
