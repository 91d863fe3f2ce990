"""NDRC detail pages of every template → `PageExtract` (chrome metadata + clean body paragraphs).

The stages, one module each: `html_tree` builds the tree and indexes it, `templates` says where
the title, dates, source and content area of each template are, `boxes` says what is not the
document (and cuts the boxes known only by their heading), `paragraphs` walks the content area
into paragraphs and tables, cutting every known box it meets, `urls` makes the links absolute. This module runs them in order and checks that no text went missing on the way:
what the content area shows and was not a known box must be in the paragraphs, or a warning says
so. `extract_detail` never raises.
"""

from __future__ import annotations

import re

from parsers import templates
from parsers.blocking import block_reason
from parsers.boxes import drop_tree, noise_in, remove_boxes
from parsers.html_tree import PageIndex, clean_text, element_text, meta_tags, parse_html, text_of
from parsers.model import Attachment, Link, PageExtract, Table
from parsers.paragraphs import ParagraphBuilder, is_centered
from parsers.templates import ATTACHMENT_CLASS, ATTACHMENT_EXTENSIONS, INTERPRETATION_CLASS, LIST_CLASS
from parsers.urls import absolute_url

# Characters of the content area's visible text (the part of the page that holds the title and the
# body, its known parts taken out) that may be missing from the paragraphs without a word said:
# stray marks and separators. Above this, and above LOST_SHARE of what was kept, the text stands
# in a part of the template the rules do not know, and the whole area is read, with a warning.
LOST_CHARS_MAX = 20
# A page cut short in transfer or storage ends before its </html> (every page of the site has one,
# followed by at most a comment or whitespace): its body may lack its end, which is said. (Looked
# for as written, in capitals, then in any case: lower() of the tail costs more than the rest.)
END_TAG = "</html"
END_TAG_REACH = 512
# ... and a page cut inside a character reference (`&nb` of `&nbsp;`) keeps the reference's start
# as literal text, which is no text of the page: it is cut off with it.
CUT_REFERENCE = re.compile(r"&#?[A-Za-z0-9]{0,31}$")
LOST_SHARE = 0.05


def _links(anchors, base: str | None) -> list[tuple[str, str | None, str]]:
    """(title, absolute url, raw href) for each anchor with a usable href."""
    out = []
    for a in anchors:
        href = (a.get("href") or "").strip()
        if not href or href[0] == "#" or (":" in href and href.lower().startswith(("javascript:", "mailto:"))):
            continue
        title = element_text(a) or clean_text(a.get("title") or "")
        out.append((title, absolute_url(href, base), href))
    return out


def _dedupe_links(links: list[tuple[str, str | None, str]]) -> tuple[Link, ...]:
    """De-duplicated by URL, then by title; first occurrence kept."""
    seen_urls: set[str] = set()
    seen_titles: set[str] = set()
    out = []
    for title, url, href in links:
        key = url or href
        if key in seen_urls or not title or title in seen_titles:
            continue
        seen_urls.add(key)
        seen_titles.add(title)
        out.append(Link(title=title, url=url))
    return tuple(out)


def _extension(href: str) -> str | None:
    """The lower-case file extension of a link's path ("pdf"), or None."""
    if "#" in href or "?" in href:  # (most links have neither: two splits spared)
        href = href.split("#", 1)[0].split("?", 1)[0]
    name = href.rstrip("/").rsplit("/", 1)[-1]
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[-1].lower()
    return ext if ext.isalnum() and len(ext) <= 5 else None


def _attachments(links: list[tuple[str, str | None, str]]) -> tuple[Attachment, ...]:
    seen: set[str] = set()
    out = []
    for title, url, href in links:
        key = url or href
        if key in seen:
            continue
        seen.add(key)
        ext = _extension(href)
        if not title:
            title = href.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1] or href
        out.append(Attachment(title=title, url=url, file_type=ext))
    return tuple(out)


def extract_detail(html: str, url: str | None, *, utf8: bytes | None = None) -> PageExtract:
    """Chrome metadata and clean body paragraphs of a detail page. Never raises.

    A page that is not a policy detail page (WAF page, list page, anything else) comes back with
    whatever could be read and a warning saying what it looks like. `utf8` as for `parse_html`.
    """
    try:
        return _extract(html if isinstance(html, str) else str(html or ""), url, utf8 if isinstance(html, str) else None)
    except RecursionError:
        return PageExtract(paragraphs=(), warnings=("page nested too deeply to read",))


def _extract(html: str, url: str | None, utf8: bytes | None = None) -> PageExtract:
    warnings: list[str] = []
    reach = max(len(html) - END_TAG_REACH, 0)  # searched in place: a slice is a copy
    if html.find(END_TAG, reach) < 0 and html.find(END_TAG.upper(), reach) < 0 and END_TAG not in html[reach:].lower():
        warnings.append("the page ends before its </html>: it may have been cut short")
        if html.endswith("\ufffd"):  # a character cut in half by the cut is no character of the page
            html, utf8 = html.rstrip("\ufffd"), None
        if html.rfind("<") > html.rfind(">"):  # cut inside a tag: its start is no text
            html, utf8 = html[: html.rfind("<")], None
        cut = CUT_REFERENCE.search(html, len(html) - 33 if len(html) > 33 else 0)
        if cut:
            html, utf8 = html[: cut.start()], None
    root = parse_html(html, utf8)
    if root is None:
        return PageExtract(paragraphs=(), warnings=tuple(warnings) + ("no HTML content",))

    index = PageIndex(root, templates.LOOKED_UP_CLASSES)
    meta = meta_tags(root, templates.DETAIL_META_NAMES)
    title = templates.title(index, meta, warnings)
    publish_date = templates.publish_date(index, meta)
    source = templates.source(index, meta)
    category = templates.category(index, meta)

    interpretation_links = _links(index.links_in(index.classes(INTERPRETATION_CLASS, tag="div")), url)
    attachment_links = _links(index.links_in(index.classes(ATTACHMENT_CLASS, tag="div")), url)

    roots = templates.body_roots(index)
    paragraphs: tuple[str, ...] = ()
    centered: frozenset[int] = frozenset()
    tables: tuple[Table, ...] = ()
    if not roots:
        warnings.append("no article body found: not a policy detail page")
        if index.classes(LIST_CLASS, tag="ul"):
            warnings.append("looks like a list page (ul.u-list)")
    else:
        builder = _read(roots, index, url, interpretation_links, attachment_links)
        paragraphs, centered = builder.result()
        region = templates.content_region(index, roots)
        missing = _unexplained(region, roots, paragraphs, index) if region is not None else 0
        if missing:
            # Text of the content area outside every editor block and known box: an unknown part
            # of the template. It is kept (read with the whole area) and named.
            warnings.append(
                f"{missing} characters of the page's content area stand outside its editor blocks:"
                " read the whole area as the body"
            )
            _drop_known_parts(region, index)  # title, date, source: read already, and not the body
            builder = _read([region], index, url, interpretation_links, attachment_links)
            paragraphs, centered = builder.result()
        tables = tuple(Table(seq=i, source="body", rows=rows) for i, rows in enumerate(builder.tables))
        if not paragraphs:
            warnings.append("the article body is empty")

    if url is None and any(u is None and not h.startswith(("http", "//")) for _, u, h in interpretation_links + attachment_links):
        warnings.append("relative links left without URL: no page URL given")
    if title is None:
        warnings.append("no title found")
    if title is None or not paragraphs:
        # Only a thin page can be a challenge or WAF shell; a page with a title and a body is not
        # checked (the check scans the whole text and would double the cost of a parse).
        reason = block_reason(html)
        if reason:
            warnings.insert(0, f"not a document: blocked or challenge page ({reason})")

    return PageExtract(
        paragraphs=paragraphs,
        title=title,
        publish_date=publish_date,
        source=source,
        category=category,
        attachments=_attachments(attachment_links),
        interpretations=_dedupe_links(interpretation_links),
        warnings=tuple(dict.fromkeys(warnings)),
        centered=centered,
        tables=tables,
    )


def _read(roots: list, index: PageIndex, url: str | None, interpretation_links: list, attachment_links: list) -> ParagraphBuilder:
    """Boxes out, file links noted, then every root walked in order into one builder."""
    builder = ParagraphBuilder()
    for n, body in enumerate(roots):
        for box in remove_boxes(body, index):
            interpretation_links.extend(_links(box.iterdescendants("a"), url))
        # The <a> under the body, by a tag walk in C (an XPath's set-up alone costs more);
        # `_links` passes over those without an href.
        for title_, link_url, href in _links(body.iterdescendants("a"), url):
            if _extension(href) in ATTACHMENT_EXTENSIONS:
                attachment_links.append((title_, link_url, href))
        if n:  # two editor blocks: a sentence may go on across their border
            builder.flush()
            builder.cuts.add(len(builder.paragraphs))
        builder.walk(body, is_centered(body, False))
    return builder


def _unexplained(region, roots: list, kept: tuple[str, ...], index: PageIndex) -> int:
    """How many characters the content area shows outside the body and its known parts (title,
    date and source, print and share bar, attachment box, every box); 0 when that is little
    enough to be separators and stray marks.

    The body's own text is all in the paragraphs (the builder keeps every text node it walks),
    so only what stands beside the roots is looked at: the elements off the path from the area
    down to each root, each known part skipped by its class, tag or id. Counted without
    whitespace. On the current template that is four class lookups.
    """
    on_path: list = []
    for body in roots:
        for ancestor in body.iterancestors():
            if ancestor is region:
                break
            on_path.append(ancestor)
    count = 0
    stack = [region]
    while stack:
        el = stack.pop()
        text = el.text
        if text and not text.isspace():
            count += _letters(text)
        for child in el:
            tail = child.tail
            if tail and not tail.isspace():
                count += _letters(tail)
            if child in roots or not isinstance(child.tag, str):
                continue
            if child in on_path:
                stack.append(child)
            elif not templates.is_known_part(child):
                letters = _letters(text_of(child))
                if letters:  # a known part or a box inside (older templates): count without them
                    _drop_known_parts(child, index)
                    letters = _letters(text_of(child))
                count += letters
    kept_letters = sum(map(len, kept))
    if count > LOST_CHARS_MAX and count > LOST_SHARE * max(kept_letters, 1):
        return count
    return 0


def _drop_known_parts(el, index: PageIndex) -> None:
    """Take the known parts (title, date, source, boxes, scripts) out of an element, in place."""
    known = [e for e in el.iterdescendants() if isinstance(e.tag, str) and templates.is_known_part(e)]
    for part in known + noise_in(el, index):
        if part.getparent() is not None:
            drop_tree(part)


def _letters(text: str | None) -> int:
    return len("".join(text.split())) if text else 0
