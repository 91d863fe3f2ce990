"""The real sidebar box of a detail page, and ways to put it anywhere in the page's body.

The box is built from the real pages: the `div.xgwz` (相关政策与解读) and `div.phb` (排行榜) of a
saved page's `div.article_r`, nested in `div.article_r_in` as the 2019–2023 template does, with
the entries a browser fills in (the ranking list is written by a script) taken from the real
rendering in fixtures/ndrc/renderings. `insert_*` return the page's HTML with the box placed.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from tests.conftest import PAGES, RENDERINGS

EDITOR_CLASSES = ("TRS_Editor", "TRS_UEDITOR", "Custom_UnionStyle")
BLOCK_TAGS = {"p", "div", "br", "li", "table", "ul", "ol", "h1", "h2", "h3", "h4", "center"}


def _parse(html: bytes) -> etree._Element:
    return etree.fromstring(html, etree.HTMLParser(encoding="utf-8", remove_comments=True))


def _classes(el) -> list[str]:
    return (el.get("class") or "").split()


def _rendered_entries() -> tuple[list[tuple[str, str]], list[str]]:
    """(rank title, date) of the 排行榜 and the 相关解读 titles, as the real rendering shows them."""
    lines = [line.strip() for line in (RENDERINGS / "tz_2022_408_rendering.txt").read_text(encoding="utf-8").splitlines()]
    start = lines.index("排行榜")
    ranks, related = [], []
    i = start + 1
    while lines[i] != "相关解读":
        match = re.match(r"^- (\d\d) (.+)$", lines[i])
        if match:
            ranks.append((match.group(2), lines[i + 1]))
        i += 1
    for line in lines[i + 1 :]:
        if line.startswith("电、"):
            break
        if line:
            related.append(line)
    return ranks, related


def sidebar_box() -> etree._Element:
    """div.article_r_in holding the real div.phb (filled) and div.xgwz (filled)."""
    page = _parse((PAGES / "tz_t20260828_1407232.html").read_bytes())
    sidebar = next(el for el in page.iter("div") if "article_r" in _classes(el))
    phb = copy.deepcopy(next(el for el in sidebar.iter("div") if "phb" in _classes(el)))
    xgwz = copy.deepcopy(next(el for el in sidebar.iter("div") if "xgwz" in _classes(el)))
    ranks, related = _rendered_entries()
    ranking = next(ul for ul in phb.iter("ul"))
    for n, (title, date) in enumerate(ranks, 1):
        li = etree.SubElement(ranking, "li")
        etree.SubElement(li, "span").text = f"{n:02d}"
        a = etree.SubElement(li, "a", href=f"../../tz/202305/t20230515_13559{n:02d}.html")
        a.text = title
        etree.SubElement(li, "span").text = date
    links = next(ul for ul in xgwz.iter("ul"))
    for n, title in enumerate(related):
        li = etree.SubElement(links, "li")
        a = etree.SubElement(li, "a", href=f"../../../jd/jd/202203/t20220328_132063{n}.html", target="_blank")
        a.text = title
    box = etree.Element("div", {"class": "article_r_in"})
    box.append(phb)
    box.append(xgwz)
    box.tail = None
    return box


def box_texts(box: etree._Element) -> list[str]:
    """Every visible text of the box: headings, entry titles, dates, ranks."""
    return [t.strip() for t in box.itertext() if t.strip()]


def _editors(root) -> list:
    return [el for el in root.iter("div") if any(c in _classes(el) for c in EDITOR_CLASSES)]


def _serialise(root) -> bytes:
    return etree.tostring(root, method="html", encoding="utf-8")


def page_tree(html: bytes) -> etree._Element:
    return _parse(html)


def roundtrip(html: bytes) -> bytes:
    """The page serialised back unchanged: the baseline the boxed pages are compared with."""
    return _serialise(_parse(html))


def boundaries(root) -> list[tuple[etree._Element, str]]:
    """(element, "before" | "after") for every block element inside the editor blocks."""
    out = []
    for editor in _editors(root):
        for el in editor.iterdescendants():
            if isinstance(el.tag, str) and el.tag in BLOCK_TAGS:
                out.append((el, "before"))
                out.append((el, "after"))
    return out


def sentence_spots(root) -> list[tuple[etree._Element, str, int]]:
    """(element, "text" | "tail", offset) inside every visible text run of the editor blocks, never
    right after a sentence's end (that is a boundary, not inside a sentence)."""
    out = []
    for editor in _editors(root):
        for el in editor.iter():
            if not isinstance(el.tag, str):
                continue
            for where in ("text", "tail") if el is not editor else ("text",):
                value = getattr(el, where) or ""
                for offset in range(1, len(value)):
                    left, right = value[:offset], value[offset:]
                    if left.strip() and right.strip() and left[-1] not in "。；！？：:;!?" and not left[-1].isspace():
                        out.append((el, where, offset))
    return out


VOID_TAGS = {"br", "img", "hr", "input", "wbr", "col", "area", "embed", "source", "meta", "link"}


def edges(root) -> list[tuple[etree._Element, str]]:
    """(element, where) for every edge of the text runs inside the editor blocks: right "before"
    and right "after" each element of any tag, and "first inside" (before its text) and "last
    inside" (after its last child's tail) each element that can hold one. A box first in a
    <span>, right before the text it opens, is one of them."""
    out = []
    for editor in _editors(root):
        for el in editor.iter():
            if not isinstance(el.tag, str):
                continue
            if el is not editor:
                out += [(el, "before"), (el, "after")]
            if el.tag not in VOID_TAGS:
                out += [(el, "first inside"), (el, "last inside")]
    return out


def insert_at_edge(html: bytes, pick: int) -> bytes:
    root = _parse(html)
    spots = edges(root)
    el, where = spots[pick % len(spots)]
    box = sidebar_box()
    if where == "before":
        el.addprevious(box)  # after the text before `el`, which stays where it was
    elif where == "after":
        box.tail, el.tail = el.tail, None  # lxml moves an element with its tail: `el`'s text follows the box
        el.addnext(box)
    elif where == "first inside":
        box.tail, el.text = el.text, None
        el.insert(0, box)
    else:
        el.append(box)  # after the last child's tail
    return _serialise(root)


def insert_at_boundary(html: bytes, pick: int) -> bytes:
    root = _parse(html)
    spots = boundaries(root)
    el, side = spots[pick % len(spots)]
    box = sidebar_box()
    (el.addprevious if side == "before" else el.addnext)(box)
    if side == "before":
        # addprevious keeps the box's own (empty) tail: the text before `el` stays where it was
        pass
    return _serialise(root)


def insert_in_sentence(html: bytes, pick: int) -> bytes:
    root = _parse(html)
    spots = sentence_spots(root)
    el, where, offset = spots[pick % len(spots)]
    box = sidebar_box()
    value = getattr(el, where)
    if where == "text":
        el.text = value[:offset]
        box.tail = value[offset:]
        el.insert(0, box)
    else:
        el.tail = value[:offset]
        box.tail = value[offset:]
        el.addnext(box)
    return _serialise(root)


def split_editor(html: bytes, pick: int) -> bytes:
    """The last editor block split in two at one of its top-level children, the box between."""
    root = _parse(html)
    editor = _editors(root)[-1]  # the innermost: Custom_UnionStyle inside TRS_Editor
    children = list(editor)
    at = 1 + pick % max(len(children) - 1, 1) if len(children) > 1 else 0
    second = etree.Element("div", {"class": editor.get("class")})
    for child in children[at:]:
        second.append(child)  # moves the child with its tail
    box = sidebar_box()
    editor.addnext(box)
    box.addnext(second)
    return _serialise(root)


def as_template(html: bytes, template: str) -> bytes:
    """A real current-template page rewritten as the site's other templates mark up the body:
    "TRS_UEDITOR" (the CMS's newer editor), "2019-2023" (article_con_title, Custom_UnionStyle
    inside TRS_Editor), "pre-2019" (a bare TRS_Editor in div#zoom, no article_con), "lines as
    <p>" (each line of the body a <p>, not a <div>), "lines as bare <p>" (… and out of its <span>)."""
    root = _parse(html)
    editor = _editors(root)[0]
    container = editor.getparent()
    if template == "TRS_UEDITOR":
        editor.set("class", "TRS_UEDITOR")
    elif template == "2019-2023":
        container.set("class", "article_con article_con_title")
        inner = etree.Element("div", {"class": "Custom_UnionStyle"})
        inner.text, editor.text = editor.text, None
        for child in list(editor):
            inner.append(child)
        editor.append(inner)
    elif template == "pre-2019":
        del container.attrib["class"]
        container.set("id", "zoom")
    elif template == "lines as bare <p>":
        # ... and no longer wrapped in a <span> each: <span><div>文号</div></span> → <p>文号</p>,
        # standing beside the <span> lines that follow it
        for el in list(editor.iter("div")):
            parent = el.getparent()
            if el is editor or any(isinstance(i.tag, str) and i.tag in BLOCK_TAGS - {"br"} for i in el.iterdescendants()):
                continue
            el.tag = "p"
            if parent.tag == "span" and len(parent) == 1 and not (parent.text or "").strip() and not (el.tail or "").strip():
                el.tail = parent.tail
                parent.getparent().replace(parent, el)
    elif template == "lines as <p>":
        # The editor's lines written as <p> (centred by their style), as the CMS's editors also
        # write them: an HTML parser ends a <p> at the box's <div>, which a <div> line it does not.
        for el in list(editor.iter("div")):
            if el is not editor and not any(
                isinstance(inner.tag, str) and inner.tag in BLOCK_TAGS - {"br"} for inner in el.iterdescendants()
            ):
                el.tag = "p"
    else:
        raise ValueError(template)
    return _serialise(root)
