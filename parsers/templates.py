"""Template rules: where each part of a detail page is, for every template the site has used.

Templates (see NDRC-SITE.md), all from the same CMS (TRS WCM):
- current (2023 on): meta ArticleTitle/PubDate/ContentSource/ColumnName, `h2.article_title`,
  `div.article_con > div.TRS_Editor`, `div.attachment`, sidebar `div.xgwz` (相关政策与解读);
- 2019–2023: `div.article_con.article_con_title` / `article_con_notitle`, `<p>` paragraphs with
  　　 indents, `div.Custom_UnionStyle` inside `div.TRS_Editor`, the sidebar boxes nested in
  `div.article_r_in`;
- pre-2019 (`/zcfb/zcfbtz/…`): `.txt_title1`, `.txt_subtitle1` (date), `#dSourceText`, `.TRS_Editor`
  in `#zoom`;
- the mobile copy (`…_ext.html`): the same editor blocks in a narrower frame, found the same way.
"""

from __future__ import annotations

import re

from parsers.boxes import NOISE_CLASSES, NOISE_IDS, NOISE_SECTION_TAGS, NOISE_TAGS
from parsers.html_tree import PageIndex, clean_text, element_text, iso_date

# Where the parts of a page are, by class token or id. One walk over the tree (`PageIndex`)
# files every element under its class tokens and id; each part is then a dict lookup. (The
# XPath `contains(concat(' ', normalize-space(@class), ' '), …)` form of these costs a full
# tree walk with string building per query: most of the parse time on a 7 KB page.)

# The article body, most specific first: the current and 2019–2023 templates nest TRS_Editor in
# div.article_con (…_title / …_notitle); pre-2019 pages have a bare .TRS_Editor; TRS_UEDITOR is the
# same CMS's newer editor; a page with none of these falls back to article_con itself, then to
# the ids other government CMS templates use for the body.
#
# The body is the whole content area: every editor block under it, in document order, and what
# stands between them (a box the CMS put there is removed later, see `parsers.boxes`). An editor
# block can be split in two by such a box, and a body can have two or more editor blocks.
BODY_CONTAINER_CLASSES = ("article_con", "article_con_title", "article_con_notitle")
BODY_EDITOR_CLASSES = ("TRS_Editor", "TRS_UEDITOR")
# The 2019–2023 template's inner block, the editor of a page whose TRS_Editor class was lost.
BODY_INNER_CLASSES = ("Custom_UnionStyle",)
BODY_IDS = ("UCAP-CONTENT", "zoom")

# The <meta name> tags a detail page's chrome is read from (ColumnName, ArticleTitle, PubDate,
# ContentSource); the others (SiteName, Keywords, renderer, …) are never looked at.
DETAIL_META_NAMES = frozenset({"articletitle", "pubdate", "contentsource", "columnname"})


# The title as the site shows it, raw (with its trailing (文号)): the current template's
# h2.article_title, then the ArticleTitle meta, then the pre-2019 .txt_title1, then <title>.
TITLE_CLASS = "article_title"
TITLE_OLD_CLASS = "txt_title1"
# <title> is the last resort: "【…】-国家发展和改革委员会" wraps the real title.
HTML_TITLE_WRAPPER = re.compile(r"^\s*【(?P<t>.*)】\s*[-－—_|].*$|^(?P<u>.*?)\s*[-－—_|]\s*(?:中华人民共和国)?国家发展和改革委员会\s*$", re.S)

# 发布时间 and 来源 in the chrome: div.time / div.laiyuantext now, .txt_subtitle1 / #dSourceText before 2019.
TIME_CLASSES = ("time", "txt_subtitle1")
SOURCE_CLASSES = ("laiyuantext",)
SOURCE_IDS = ("dSourceText",)
SOURCE_PREFIX = re.compile(r"^\s*(?:信息)?来源\s*[:：]\s*")
# The breadcrumb (首页 > 政务公开 > 政策 > 通知): its last item is the column when no meta says so.
BREADCRUMB_CLASS = "path"

# 相关政策与解读 sidebar: hidden (display:none) unless it has links, but the links are in the HTML.
INTERPRETATION_CLASS = "xgwz"
# The attachment block under the body (relative ./P0….pdf and a parallel .ofd).
ATTACHMENT_CLASS = "attachment"
# Body links to these extensions are attachments too.
ATTACHMENT_EXTENSIONS = frozenset({"pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "et", "zip", "rar"})

LIST_CLASS = "u-list"

# Every class token the readers look up in the page index (`PageIndex` files these in its pass;
# any other is found when asked, at a cost).
LOOKED_UP_CLASSES = frozenset({
    *BODY_CONTAINER_CLASSES, *BODY_EDITOR_CLASSES, *BODY_INNER_CLASSES, TITLE_CLASS, TITLE_OLD_CLASS,
    *TIME_CLASSES, *SOURCE_CLASSES, BREADCRUMB_CLASS, INTERPRETATION_CLASS, ATTACHMENT_CLASS, LIST_CLASS,
}) | NOISE_CLASSES

# The parts of the content area around the body that are known not to be it, for the check that
# nothing else stands there (`html_page`): the title, date and source, and every box.
KNOWN_PART_CLASSES = frozenset({TITLE_CLASS, TITLE_OLD_CLASS, *TIME_CLASSES, *SOURCE_CLASSES, BREADCRUMB_CLASS}) | NOISE_CLASSES
KNOWN_PART_IDS = frozenset(SOURCE_IDS) | NOISE_IDS
KNOWN_PART_TAGS = frozenset(NOISE_TAGS) | NOISE_SECTION_TAGS
def title(index: PageIndex, meta: dict[str, str], warnings: list[str]) -> str | None:
    for el in index.classes(TITLE_CLASS):
        text = element_text(el)
        if text:
            return text
    if meta.get("articletitle"):
        return meta["articletitle"]
    for el in index.classes(TITLE_OLD_CLASS):
        text = element_text(el)
        if text:
            return text
    for el in index.tags("title"):
        text = element_text(el)
        match = HTML_TITLE_WRAPPER.match(text)
        if match:
            text = clean_text(match.group("t") or match.group("u") or "")
        if text:
            warnings.append("title taken from the <title> element")
            return text
    return None


def publish_date(index: PageIndex, meta: dict[str, str]) -> str | None:
    date = iso_date(meta.get("pubdate"))
    if date:
        return date
    for el in index.classes(*TIME_CLASSES):
        date = iso_date(element_text(el))
        if date:
            return date
    return None


def source(index: PageIndex, meta: dict[str, str]) -> str | None:
    if meta.get("contentsource"):
        return meta["contentsource"]
    for el in index.classes(*SOURCE_CLASSES) + index.ids(*SOURCE_IDS):
        text = SOURCE_PREFIX.sub("", element_text(el)).strip()
        if text:
            return text
    return None


def category(index: PageIndex, meta: dict[str, str]) -> str | None:
    if meta.get("columnname"):
        return meta["columnname"]
    crumbs = [element_text(a) for box in index.classes(BREADCRUMB_CLASS, tag="div") for a in box.iter("a")]
    crumbs = [c for c in crumbs if c]
    return crumbs[-1] if crumbs else None


def body_roots(index: PageIndex) -> list:
    """The content area: the elements whose text is the body, in document order (empty: none).

    The container (article_con or its variants) when it holds the editor blocks, so that every
    block and what stands between them is read; else the editor blocks themselves (the reader
    joins a sentence cut at the border of two); else the inner block, the container, the ids.
    """
    editors = _outermost(index.classes(*BODY_EDITOR_CLASSES, tag="div"))
    containers = _outermost(index.classes(*BODY_CONTAINER_CLASSES, tag="div"))
    if len(editors) == 1 and len(containers) == 1 and editors[0].getparent() is containers[0]:
        return containers  # the usual page: one editor block right in its container
    if editors:
        holding = [c for c in containers if any(_inside(e, c) for e in editors)]
        if holding:
            return holding
        if len(editors) > 1:
            # No container class (pre-2019): the id container holding them all, if any.
            for box in index.ids(*BODY_IDS):
                if all(_inside(e, box) for e in editors):
                    return [box]
        return editors
    inner = _outermost(index.classes(*BODY_INNER_CLASSES, tag="div"))
    if inner:
        return inner
    if containers:
        return containers
    found = index.ids(*BODY_IDS)
    return found[:1]


def _inside(el, container) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is container:
            return True
        parent = parent.getparent()
    return False


def _outermost(elements: list) -> list:
    """The elements not nested in another of them, in document order."""
    if len(elements) < 2:
        return elements
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def content_region(index: PageIndex, roots: list):
    """The part of the page holding the title and the body (the current template's
    div.article_l): the nearest ancestor of the first root that holds the page title too.
    None without a title element, or when that ancestor would be <body> or <html> (the page's
    chrome is not laid out for this check there)."""
    titles = index.classes(TITLE_CLASS) or index.classes(TITLE_OLD_CLASS)
    if not titles or not roots:
        return None
    title_ancestors = list(titles[0].iterancestors())
    for ancestor in roots[0].iterancestors():
        if ancestor in title_ancestors:
            if ancestor.tag in ("body", "html") or (len(roots) > 1 and not all(_inside(r, ancestor) for r in roots)):
                return None
            return ancestor
    return None


def is_known_part(el) -> bool:
    """Whether an element of the content area is a known part that is not the body: the title,
    发布时间, 来源, or chrome (a box, a widget, a script; `parsers.boxes`)."""
    if el.tag in KNOWN_PART_TAGS:
        return True
    classes = el.get("class")
    if classes and not KNOWN_PART_CLASSES.isdisjoint(classes.split()):
        return True
    ident = el.get("id")
    return bool(ident) and ident.strip() in KNOWN_PART_IDS
