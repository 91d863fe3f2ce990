"""PDF and OFD attachments for tests and the site replica, laid out like a real 公文.

Holds `make_pdf(paragraphs, ...)` (reportlab, CID font STSong-Light: no font file needed) and
`make_ofd(paragraphs, ...)` (an OFD zip per GB/T 33190), both from one shared page layout:
A4, a centred title, body lines of 28 characters, justified, first lines indented two characters,
chapter headings (第一章 …) centred, optional right-aligned signature lines, a page number
"— N —" centred at the foot of each page and an optional running header. Both writers are
deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

# --- the page, in PDF points (1/72 inch) -------------------------------------------------------
PAGE_W, PAGE_H = 595.2756, 841.8898  # A4
BODY_SIZE = 16.0  # 三号: the body size GB/T 9704 prescribes
TITLE_SIZE = 22.0  # 二号: the title size
HEADER_SIZE = 10.5  # 五号: running headers
PAGE_NUMBER_SIZE = 14.0  # 四号: page numbers
LINE_CHARS = 28  # GB/T 9704: 28 characters a line ...
LINES_PER_PAGE = 22  # ... and 22 lines a page
TEXT_WIDTH = LINE_CHARS * BODY_SIZE
LEFT = (PAGE_W - TEXT_WIDTH) / 2
LINE_PITCH = 28.95  # 22 lines in the 225 mm text block
FIRST_BASELINE = 104.9 + BODY_SIZE  # the text block starts 37 mm below the top edge
HEADER_BASELINE = 62.0
PAGE_NUMBER_BASELINE = PAGE_H - 56.0
INDENT_CHARS = 2  # first line of a paragraph indented two characters
SIGNATURE_RIGHT_CHARS = 4  # signature and date: 右空四字
FONT = "STSong-Light"
PT_TO_MM = 25.4 / 72

# Paragraphs printed centred: the 编/章/节 headings of orders and the 发文字号 under a title.
CENTRED_PARAGRAPH_RE = re.compile(
    r"^第[一二三四五六七八九十百千零〇两]+[编章节](?:[\s\u3000]|$)|^[\u4e00-\u9fff]{2,16}〔\d{4}〕\d{1,5}号$"
)
# The addressees (主送机关) are set flush left: a first paragraph ending with a full-width colon.
ADDRESSEE_END = "："
# 避头尾: a line may not start with these; the character before moves down with it.
NO_LINE_START = "，。、；：？！）》」』〉】”’…·％,.;:?!)]}%"
# A token the line breaker keeps whole: a run of printable ASCII (Latin words, numbers).
_TOKEN_RE = re.compile(r"[!-~]+| +|.", re.S)
# In the OFD, every SPLIT_EVERY-th body line is written as two TextObjects, right half first,
# so that readers must rebuild the reading order from positions.
SPLIT_EVERY = 3
# Fixed timestamp for zip entries (deterministic output).
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
OFD_NS = "http://www.ofdspec.org/2016"


@dataclass(frozen=True)
class _Run:
    """One placed line: baseline `y` measured from the top of the page, in points."""

    page: int
    x: float
    y: float
    size: float
    text: str
    advances: tuple[float, ...]  # per character, justification included
    body: bool = False


@lru_cache(maxsize=1)
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@lru_cache(maxsize=4096)
def _char_width(ch: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.stringWidth(ch, _register_font(), size)


def _width(text: str, size: float) -> float:
    return sum(_char_width(c, size) for c in text)


def _break(text: str, size: float, first_width: float, width: float) -> list[str]:
    """Break a paragraph into lines: CJK anywhere, Latin words at spaces, with 避头尾."""
    tokens = _TOKEN_RE.findall(text)
    lines: list[str] = []
    i = 0
    while i < len(tokens):
        avail = first_width if not lines else width
        line: list[str] = []
        used = 0.0
        while i < len(tokens):
            tok = tokens[i]
            if tok.isspace():
                if line:
                    line.append(tok)
                    used += _width(tok, size)
                i += 1
                continue
            w = _width(tok, size)
            if w > avail and len(tok) > 1:  # a word longer than a line: break it anywhere
                tokens[i : i + 1] = list(tok)
                continue
            if line and used + w > avail + 1e-6:
                break
            line.append(tok)
            used += w
            i += 1
        if i < len(tokens) and tokens[i][0] in NO_LINE_START and not tokens[i - 1].isspace():
            while len(line) > 1 and tokens[i - 1][0] in NO_LINE_START:
                line.pop()
                i -= 1
            if len(line) > 1:
                line.pop()
                i -= 1
        lines.append("".join(line).rstrip(" "))
    return [ln for ln in lines if ln]


def _justified(text: str, size: float, width: float) -> tuple[float, ...]:
    natural = [_char_width(c, size) for c in text]
    if len(text) < 2:
        return tuple(natural)
    extra = max(0.0, width - sum(natural)) / (len(text) - 1)
    return tuple(w + extra for w in natural[:-1]) + (natural[-1],)


def _layout(
    paragraphs: Sequence[str],
    title: str | None,
    header: str | None,
    signature: Sequence[str],
) -> tuple[list[_Run], int]:
    runs: list[_Run] = []
    page, y = 1, FIRST_BASELINE
    bottom = FIRST_BASELINE + (LINES_PER_PAGE - 1) * LINE_PITCH

    def place(text: str, x: float, size: float, advances: tuple[float, ...], body: bool = False) -> None:
        nonlocal page, y
        if y > bottom + 1e-6:
            page, y = page + 1, FIRST_BASELINE
        runs.append(_Run(page, x, y, size, text, advances, body))
        y += max(LINE_PITCH, size * 1.45)

    def centred(text: str, size: float) -> None:
        for line in _break(text, size, TEXT_WIDTH, TEXT_WIDTH):
            adv = tuple(_char_width(c, size) for c in line)
            place(line, LEFT + (TEXT_WIDTH - sum(adv)) / 2, size, adv)

    if title:
        centred(title, TITLE_SIZE)
        y += LINE_PITCH  # a blank line under the title
    first_body = True
    for para in paragraphs:
        para = para.strip()
        if not para:
            continue
        if CENTRED_PARAGRAPH_RE.match(para):
            centred(para, BODY_SIZE)
            continue
        indent = 0.0 if first_body and para.endswith(ADDRESSEE_END) else INDENT_CHARS * BODY_SIZE
        first_body = False
        lines = _break(para, BODY_SIZE, TEXT_WIDTH - indent, TEXT_WIDTH)
        for n, line in enumerate(lines):
            x = LEFT + (indent if n == 0 else 0.0)
            last = n == len(lines) - 1
            adv = (
                tuple(_char_width(c, BODY_SIZE) for c in line)
                if last
                else _justified(line, BODY_SIZE, LEFT + TEXT_WIDTH - x)
            )
            place(line, x, BODY_SIZE, adv, body=True)
    if signature:
        y += LINE_PITCH
        for line in signature:
            adv = tuple(_char_width(c, BODY_SIZE) for c in line)
            place(line, LEFT + TEXT_WIDTH - SIGNATURE_RIGHT_CHARS * BODY_SIZE - sum(adv), BODY_SIZE, adv)
    pages = max([r.page for r in runs], default=1)
    return runs, pages


def _furniture(header: str | None, pages: int) -> tuple[list[_Run], list[_Run]]:
    """(page numbers, one header run placed on page 0 meaning every page)."""
    numbers = []
    for p in range(1, pages + 1):
        text = f"— {p} —"
        adv = tuple(_char_width(c, PAGE_NUMBER_SIZE) for c in text)
        numbers.append(_Run(p, (PAGE_W - sum(adv)) / 2, PAGE_NUMBER_BASELINE, PAGE_NUMBER_SIZE, text, adv))
    headers = []
    if header:
        adv = tuple(_char_width(c, HEADER_SIZE) for c in header)
        headers.append(_Run(0, (PAGE_W - sum(adv)) / 2, HEADER_BASELINE, HEADER_SIZE, header, adv))
    return numbers, headers


# --- PDF ---------------------------------------------------------------------------------------


def make_pdf(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    header: str | None = None,
    signature: Sequence[str] = (),
) -> bytes:
    """A text PDF of `paragraphs` laid out like a 公文; the same input gives the same bytes."""
    from reportlab.pdfgen import canvas

    font = _register_font()
    runs, pages = _layout(paragraphs, title, header, signature)
    numbers, headers = _furniture(header, pages)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=1)
    if title:
        pdf.setTitle(title)
    pdf.setAuthor("ndrc-policy replica")
    pdf.setCreator("ndrc-policy replica")
    for p in range(1, pages + 1):
        for run in [h for h in headers] + [r for r in runs if r.page == p] + [numbers[p - 1]]:
            text = run.text
            # A text object of one CJK glyph from a font that is not embedded has no width for
            # pdfium, which then drops it; an invisible U+3000 after it gives it one.
            if len(text) == 1 and not text.isascii():
                text += "\u3000"
            obj = pdf.beginText(run.x, PAGE_H - run.y)
            obj.setFont(font, run.size)
            natural = _width(run.text, run.size)
            spread = sum(run.advances) - natural if len(run.text) > 1 else 0.0
            # always set: the character spacing is graphics state and outlives the text object
            obj.setCharSpace(spread / (len(run.text) - 1) if spread > 1e-6 else 0.0)
            obj.textOut(text)
            pdf.drawText(obj)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


# --- OFD ---------------------------------------------------------------------------------------


def _num(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def _delta_x(advances: Sequence[float]) -> str:
    """OFD DeltaX for the gaps between characters, runs of equal values as "g N v"."""
    vals = [_num(v * PT_TO_MM) for v in advances[:-1]]
    out: list[str] = []
    i = 0
    while i < len(vals):
        j = i
        while j + 1 < len(vals) and vals[j + 1] == vals[i]:
            j += 1
        n = j - i + 1
        out.extend(["g", str(n), vals[i]] if n > 1 else [vals[i]])
        i = j + 1
    return " ".join(out)


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return str(self.n)


def _el(parent, tag: str, attrib: dict | None = None, text: str | None = None):
    e = etree.SubElement(parent, f"{{{OFD_NS}}}{tag}", {k: v for k, v in (attrib or {}).items()})
    if text is not None:
        e.text = text
    return e


def _root(tag: str, attrib: dict | None = None):
    return etree.Element(f"{{{OFD_NS}}}{tag}", attrib or {}, nsmap={"ofd": OFD_NS})


def _text_object(layer, ids: _Ids, font_id: str, run: _Run, start: int = 0, end: int | None = None) -> None:
    text = run.text[start:end]
    adv = run.advances[start:end]
    x = run.x + sum(run.advances[:start])
    size_mm = run.size * PT_TO_MM
    width = sum(adv) * PT_TO_MM
    # Boundary top one em above the baseline; the TextCode's Y is the baseline within it.
    obj = _el(
        layer,
        "TextObject",
        {
            "ID": ids(),
            "Boundary": " ".join(
                _num(v) for v in (x * PT_TO_MM, run.y * PT_TO_MM - size_mm, width, size_mm * 1.3)
            ),
            "Font": font_id,
            "Size": _num(size_mm),
        },
    )
    attrib = {"X": "0", "Y": _num(size_mm)}
    if len(text) > 1:
        attrib["DeltaX"] = _delta_x(adv)
    _el(obj, "TextCode", attrib, text)


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def make_ofd(
    paragraphs: Sequence[str],
    *,
    title: str | None = None,
    header: str | None = None,
    signature: Sequence[str] = (),
) -> bytes:
    """An OFD (GB/T 33190) of `paragraphs` laid out like a 公文; the same input gives the same bytes."""
    runs, pages = _layout(paragraphs, title, header, signature)
    numbers, headers = _furniture(header, pages)
    ids = _Ids()
    files: dict[str, bytes] = {}
    font_id = ids()

    res = _root("Res", {"BaseLoc": "Res"})
    fonts = _el(res, "Fonts")
    _el(fonts, "Font", {"ID": font_id, "FontName": "宋体", "FamilyName": "宋体"})
    files["Doc_0/PublicRes.xml"] = _xml(res)

    template_id = None
    if headers:
        template_id = ids()
        tpl = _root("Page")
        layer = _el(_el(tpl, "Content"), "Layer", {"ID": ids()})
        for run in headers:
            _text_object(layer, ids, font_id, run)
        files["Doc_0/Tpls/Tpl_0/Content.xml"] = _xml(tpl)

    page_ids = []
    body_line = 0
    for p in range(1, pages + 1):
        page_ids.append(ids())
        page = _root("Page")
        if template_id:
            _el(page, "Template", {"TemplateID": template_id, "ZOrder": "Background"})
        layer = _el(_el(page, "Content"), "Layer", {"ID": ids()})
        _text_object(layer, ids, font_id, numbers[p - 1])  # written first, printed last
        for run in (r for r in runs if r.page == p):
            if run.body:
                body_line += 1
            if run.body and body_line % SPLIT_EVERY == 0 and len(run.text) >= 4:
                mid = len(run.text) // 2
                _text_object(layer, ids, font_id, run, mid)  # right half first
                _text_object(layer, ids, font_id, run, 0, mid)
            else:
                _text_object(layer, ids, font_id, run)
        files[f"Doc_0/Pages/Page_{p - 1}/Content.xml"] = _xml(page)

    doc = _root("Document")
    common = _el(doc, "CommonData")
    _el(common, "MaxUnitID", text=str(ids.n))
    area = _el(common, "PageArea")
    _el(area, "PhysicalBox", text=f"0 0 {_num(PAGE_W * PT_TO_MM)} {_num(PAGE_H * PT_TO_MM)}")
    _el(common, "PublicRes", text="PublicRes.xml")
    if template_id:
        _el(common, "TemplatePage", {"ID": template_id, "BaseLoc": "Tpls/Tpl_0/Content.xml"})
    pages_el = _el(doc, "Pages")
    for n, pid in enumerate(page_ids):
        _el(pages_el, "Page", {"ID": pid, "BaseLoc": f"Pages/Page_{n}/Content.xml"})
    files["Doc_0/Document.xml"] = _xml(doc)

    digest = hashlib.md5(b"".join(files[k] for k in sorted(files))).hexdigest()
    ofd = _root("OFD", {"Version": "1.0", "DocType": "OFD"})
    body = _el(ofd, "DocBody")
    info = _el(body, "DocInfo")
    _el(info, "DocID", text=digest)
    if title:
        _el(info, "Title", text=title)
    _el(info, "CreationDate", text="2020-01-01")
    _el(info, "Creator", text="ndrc-policy replica")
    _el(body, "DocRoot", text="Doc_0/Document.xml")

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in [("OFD.xml", _xml(ofd))] + sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()
