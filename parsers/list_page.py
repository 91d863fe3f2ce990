"""Column list pages (`/xxgk/zcfb/{fzggwl,ghxwj,ghwb,gg,tz}/index*.html`) → `ListPage`.

Each entry is a direct `li` child of `ul.u-list` (the `li.empty` spacers skipped; the 解读 links of
its `div.popbox` are nested `li`s too, so `ul.u-list li` would be wrong): `a[title]` carries the
full title, the last direct `<span>` the listed date (YYYY/MM/DD), the popbox the 解读 links.
Pagination comes from `createPageHTML(total, index0, "index", "html")` in a commented script.
Runs on every crawled list page, so it uses compiled XPath over an lxml tree.
"""

from __future__ import annotations

import re

from lxml import etree

from parsers.encoding import decode_bytes
from parsers.html_tree import clean_text, iso_date, meta_tags, parse_html, text_of
from parsers.templates import BREADCRUMB_CLASS
from parsers.urls import absolute_url
from parsers.model import Link, ListItem, ListPage


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# The breadcrumb's links (首页 > 政务公开 > 政策 > 通知): the last names the column.
BREADCRUMB_LINKS = etree.XPath(f"//div[{_cls(BREADCRUMB_CLASS)}]//a")

# Entries: direct li children of ul.u-list that are not spacers.
LIST_ITEMS = etree.XPath(f"//ul[{_cls('u-list')}]/li[not({_cls('empty')})]")
# The entry's own link: the direct child a with a title (the full title; the text may be cut).
ITEM_TITLED_LINK = etree.XPath("./a[@href][@title]")
ITEM_LINK = etree.XPath("./a[@href]")
# The listed date: the last direct child span.
ITEM_DATE = etree.XPath("./span[last()]")
# 解读 links in the entry's pop-up box.
ITEM_INTERPRETATIONS = etree.XPath(f".//div[{_cls('popbox')}]//a[@href]")
# The current column in the submenu (marked by class cur when the server renders it).
CURRENT_COLUMN = etree.XPath(f"//ul[{_cls('submenu')}]/li[{_cls('cur')}]//a")
# createPageHTML(total pages, 0-based current index, "index", "html").
PAGE_CALL = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)")


def parse_list_page(content: bytes | str, url: str | None = None) -> ListPage:
    """Parse a list page in any encoding; never raises (a page without entries gets a warning)."""
    warnings: list[str] = []
    if isinstance(content, (bytes, bytearray, memoryview)):
        text, _encoding, decode_warnings = decode_bytes(bytes(content), is_html=True)
        warnings.extend(decode_warnings)
    else:
        text = content or ""
    root = parse_html(text)
    if root is None:
        return ListPage(url=url, category=None, items=(), page_count=None, page_index=None, warnings=tuple(warnings) + ("no HTML content",))

    meta = meta_tags(root)
    category = meta.get("columnname") or None
    if category is None:
        for el in CURRENT_COLUMN(root) or BREADCRUMB_LINKS(root)[-1:]:
            category = clean_text(text_of(el)) or None

    items: list[ListItem] = []
    unresolved = malformed = 0
    for li in LIST_ITEMS(root):
        links = ITEM_TITLED_LINK(li) or ITEM_LINK(li)
        if not links:
            continue
        a = links[0]
        href = (a.get("href") or "").strip()
        title = clean_text(a.get("title") or "") or clean_text(text_of(a))
        link_url = absolute_url(href, url)
        if link_url is None:
            if not href or url is not None or href.lower().startswith("javascript:"):
                malformed += 1
                continue
            unresolved += 1
            link_url = href
        spans = ITEM_DATE(li)
        date = iso_date(text_of(spans[0])) if spans else None
        interpretations = []
        seen: set[str] = set()
        for j in ITEM_INTERPRETATIONS(li):
            j_title = clean_text(j.get("title") or "") or clean_text(text_of(j))
            j_url = absolute_url(j.get("href"), url)
            key = j_url or j.get("href") or ""
            if j_title and key not in seen:
                seen.add(key)
                interpretations.append(Link(title=j_title, url=j_url))
        items.append(ListItem(title=title, url=link_url, date=date, interpretations=tuple(interpretations)))

    page_count = page_index = None
    match = PAGE_CALL.search(text)
    if match:
        page_count, page_index = int(match[1]), int(match[2])
    else:
        warnings.append("no createPageHTML pagination found")
    if not items:
        warnings.append("no list entries (ul.u-list > li) found: not a list page")
    if malformed:
        warnings.append(f"{malformed} entries skipped: link missing or malformed")
    if unresolved:
        warnings.append(f"{unresolved} entry URLs left relative: no page URL given")
    return ListPage(url=url, category=category, items=tuple(items), page_count=page_count, page_index=page_index, warnings=tuple(warnings))
