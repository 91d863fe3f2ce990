"""Box removal: what stands in a page's content area and is not the document.

The sidebar's 排行榜 and 相关解读 boxes, print and share widgets, scripts and styles can stand
anywhere in the content area: between paragraphs, between two editor blocks, inside a sentence
(the CMS nests them where an editor's cursor was). Those known by tag, class or id (the constants
below) are cut by the paragraph builder as it meets them; `remove_boxes` cuts those known only by
their heading beforehand, replacing each by a cut marker (`CUT_TAG`) so that the builder can
join a sentence a box had cut in two. `noise_in` finds the known ones of any element, for the
check of the content area around the body (`html_page`).
"""

from __future__ import annotations

import re

from lxml import etree

from parsers.html_tree import ID_ATTRIBUTES_UNDER, PageIndex, element_text, file_ids, text_of

# The element put where a box was, so the paragraph builder knows a sentence may continue after it.
CUT_TAG = "ndrc-cut"

# Elements that never hold document text.
NOISE_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object", "embed", "button", "select", "textarea", "input", "head"})
# Boxes known by class or id, removed wherever they stand, even inside the body: the sidebar
# (article_r, and article_r_in that the 2019–2023 template nests in it) with 相关政策与解读 (xgwz) and 排行榜 (phb, #paihangbang); the print button (dy,
# dy_btn); the date/source/share bar (shezhi); share widgets; breadcrumb, header, navigation,
# footer; the list pages' 解读 pop-up (popbox); the attachment block (read separately).
NOISE_CLASSES = frozenset({
    "article_r", "article_r_in", "xgwz", "phb", "article_r_ul", "dy", "dy_btn", "shezhi", "share", "bdsharebuttonbox",
    "fenxiang", "bshare-custom", "path", "header", "footer", "nav", "popbox", "attachment", "xgjd", "xgzc",
})
NOISE_IDS = frozenset({"paihangbang", "share", "print"})
# HTML5 sectioning elements that hold site chrome, never document text.
NOISE_SECTION_TAGS = frozenset({"nav", "footer", "header"})


# Headings of boxes with no reliable class: the box is the heading plus the links under it, cut out
# together. 相关解读 boxes also feed `interpretations`.
BOX_HEADINGS = frozenset({"排行榜", "相关解读", "相关政策与解读", "相关政策", "相关链接", "相关新闻", "相关阅读", "分享到", "打印", "[打印]", "【打印】", "关闭窗口", "【关闭窗口】"})
INTERPRETATION_HEADINGS = frozenset({"相关解读", "相关政策与解读", "相关政策"})
# Whether a body holds any of them at all: one scan (the regex skips to the headings' first
# characters) instead of one substring search per heading; most bodies hold none.
ANY_BOX_HEADING = re.compile("|".join(sorted(map(re.escape, BOX_HEADINGS), key=len, reverse=True)))
# What may stand in a box beside its heading and links: ranks (01), dates, separators.
BOX_RESIDUE = re.compile(r"[\s\d\-/.:：|、·•()（）\[\]【】>＞]+")
def _box_of(heading: etree._Element, body: etree._Element, title: str) -> etree._Element:
    """The largest ancestor of a box heading that holds nothing but the heading and links."""
    box = heading
    while True:
        parent = box.getparent()
        if parent is None or parent is body:
            return box
        residue = text_of(parent)
        for link in parent.iter("a"):
            residue = residue.replace(text_of(link), "", 1)
        residue = BOX_RESIDUE.sub("", residue.replace(title, "", 1))
        if residue:
            return box
        box = parent


def cut(el: etree._Element) -> None:
    """Replace `el` by a cut marker, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    marker = etree.Element(CUT_TAG)
    marker.tail = el.tail
    parent.replace(el, marker)

def drop_tree(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def noise_in(body: etree._Element, index: PageIndex) -> list:
    """The chrome inside the body: noise tags, and elements of noise classes and ids.

    Found through the page index and a tag-filtered iter() (both in C), not by looking at every
    element of the body: the boxes are few, the body's elements many. Their order does not
    matter: cutting or dropping one keeps the text that follows it, whichever goes first.
    """
    found = list(body.iter(*NOISE_TAGS, *NOISE_SECTION_TAGS))
    if found and found[0] is body:
        found.pop(0)
    by_class = index.by_class
    candidates = [el for name in NOISE_CLASSES.intersection(by_class) for el in by_class[name]]
    if candidates:  # most are sidebar and footer boxes, outside the body
        inside = set(body.iterdescendants())
        found += [el for el in candidates if el in inside]
    # Ids: those of the body's elements only (a page-wide pass is not needed for these).
    by_id = file_ids(ID_ATTRIBUTES_UNDER(body), {})
    found += [el for name in NOISE_IDS for el in by_id.get(name, ())]
    return found


def _is_attached(el: etree._Element, body: etree._Element) -> bool:
    """Whether `el` is still inside `body` (an earlier cut may have removed an ancestor)."""
    for ancestor in el.iterancestors():
        if ancestor is body:
            return True
    return False

def remove_boxes(body: etree._Element, index: PageIndex) -> list:
    """Cut the boxes known by their heading out of `body` (in place); returns the 相关解读 ones,
    whose links are the document's interpretations too.

    Boxes known by class, id or tag are cut by the paragraph builder as it meets them (one
    attribute read per element on a walk that reads them anyway, where looking for them first
    cost a tag pass, a class lookup and an id pass over the body).
    """
    interpretation_boxes = []
    body_text = text_of(body)
    if ANY_BOX_HEADING.search(body_text):
        for heading in list(body.iter()):
            if not isinstance(heading.tag, str) or heading is body or heading.getparent() is None:
                continue
            label = element_text(heading).replace(" ", "")
            if label in BOX_HEADINGS and _is_attached(heading, body):
                box = _box_of(heading, body, label)
                if label in INTERPRETATION_HEADINGS:
                    interpretation_boxes.append(box)
                cut(box)
    return interpretation_boxes

