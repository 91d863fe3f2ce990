"""Canonical identity: a page is known by its path on the site, wherever it was fetched from.

The same site can be crawled through several addresses: http and https, a mirror or a proxy, the
loopback replica on any port. A document must not depend on that: its `url` (and the URLs of its
attachments and 解读 links on the same site) are written on the canonical origin
(`https://www.ndrc.gov.cn`, the crawl setting NDRC_CANONICAL_BASE), and its id is made from that
address. The raw `pages` keep the address each response was really fetched from.

    >>> site_path("http://127.0.0.1:8000/xxgk/zcfb/tz/202603/t20260301_1407001.html")
    '/xxgk/zcfb/tz/202603/t20260301_1407001.html'
    >>> rebase("http://127.0.0.1:8000/xxgk/a.pdf", "http://127.0.0.1:8000", "https://www.ndrc.gov.cn")
    'https://www.ndrc.gov.cn/xxgk/a.pdf'
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from parsers.model import Document


def origin(url: str) -> str:
    """`scheme://host[:port]` of an absolute URL, lower-cased; '' for anything else."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def site_path(url: str) -> str:
    """What identifies a page on the site: its path, with the query when it has one."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") or "/"


def rebase(url: str | None, from_origin: str, to_origin: str) -> str | None:
    """`url` moved from `from_origin` to `to_origin`; URLs of any other origin unchanged."""
    if not url or not from_origin or origin(url) != from_origin:
        return url
    return to_origin + site_path(url)


def canonical_document(doc: Document, canonical_base: str) -> Document:
    """`doc` with its own URL, and the links on the same site, on `canonical_base`; id from that URL.

    The site's links to itself (attachments, 解读 pages) were resolved against the address the
    page was fetched from; they are moved with the page. The content hash does not change: it
    covers what a reader sees, not addresses.
    """
    if not doc.url:
        return doc
    fetched, canonical = origin(doc.url), origin(canonical_base.rstrip("/") + "/")
    if not fetched or fetched == canonical:
        return doc
    from parsers.document import document_id

    url = rebase(doc.url, fetched, canonical)
    return dataclasses.replace(
        doc,
        id=document_id(url),
        url=url,
        attachments=tuple(
            dataclasses.replace(a, url=rebase(a.url, fetched, canonical)) for a in doc.attachments
        ),
        interpretations=tuple(
            dataclasses.replace(link, url=rebase(link.url, fetched, canonical)) for link in doc.interpretations
        ),
    )
