"""What the store knows of the site's pages, for an incremental crawl: `known_pages(store)`.

Keyed by the page's path on the site (`parsers.canonical.site_path`), not by its address: a
database filled through one address (the replica on some port, a mirror, http) is known as well
when the same site is crawled through another.
"""

from __future__ import annotations

from dataclasses import dataclass

from parsers.canonical import site_path

# `KnownPage.status` of a page recorded as holding no document (parse_failures).
FAILED = "failed"


@dataclass(frozen=True)
class KnownPage:
    """What the store knows of one detail page."""

    id: str | None  # the document id; None for a page that held no document
    category: str | None
    publish_date: str | None
    status: str | None  # "active", "withdrawn", or FAILED


def known_pages(store) -> dict[str, KnownPage]:
    """Site path -> KnownPage for every stored document, and for every page that held none.

    A page recorded in parse_failures counts as known with status FAILED: it is not fetched
    again on every run (`ndrc-policy reparse` retries it after a parser upgrade) and does not
    keep paging going.
    """
    out = {
        site_path(url): KnownPage(doc_id, category, publish_date, status)
        for url, doc_id, category, publish_date, status in store.db.execute(
            "SELECT url, id, category, publish_date, status FROM documents WHERE url IS NOT NULL"
        )
    }
    for (url,) in store.db.execute("SELECT DISTINCT url FROM parse_failures"):
        out.setdefault(site_path(url), KnownPage(None, None, None, FAILED))
    return out
