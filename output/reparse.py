"""Rebuild every document from the raw pages already stored: no fetching.

The crawl stores every response raw in `pages` before parsing it, so a better parser can be run
over the whole archive again. The inputs are the same the crawl used: the detail page, the list
entry it was found on (from the stored list pages) and its stored attachments, so a reparse with
the same parser gives the same documents as the crawl did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from parsers import ListItem, ParseError, parse, parse_list_page


@dataclass
class ReparseSummary:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"reparsed {self.pages} pages: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )


class StoredAttachments(Mapping):
    """Attachment URL → stored raw bytes, read from `pages` only when the parser asks."""

    def __init__(self, store):
        self._store = store

    def __getitem__(self, url: str) -> bytes:
        # Only a successful answer is the file: a stored 404 page for a broken attachment link
        # is kept in `pages` for the record, but the crawl never handed it to the parser either.
        row = self._store.db.execute(
            "SELECT status FROM pages WHERE url = ? ORDER BY last_checked DESC, id DESC LIMIT 1", (url,)
        ).fetchone()
        if row is None or (row[0] is not None and not 200 <= row[0] < 300):
            raise KeyError(url)
        body = self._store.page_body(url)
        if body is None:
            raise KeyError(url)
        return body

    def get(self, url, default=None):
        try:
            return self[url]
        except KeyError:
            return default

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def listings_from_pages(store) -> dict[str, ListItem]:
    """Detail URL → its list entry, from every list page stored (newest content per list URL)."""
    out: dict[str, ListItem] = {}
    for page in store.latest_pages(kind="list"):
        try:
            listing = parse_list_page(page.body, page.url)
        except ParseError:
            continue
        for item in listing.items:
            out.setdefault(item.url, item)
    return out


def reparse_all(db_path: str, *, as_of: str | None = None) -> ReparseSummary:
    """Parse every stored detail page again and upsert the documents, then recompute every
    document's validity (as of `as_of`, an ISO date, or today); returns the counts."""
    from output.db import Store
    from output.validity import refresh_all

    store = Store(db_path)
    summary = ReparseSummary()
    with store.lock():
        listings = listings_from_pages(store)
        attachments = StoredAttachments(store)
        for page in store.latest_pages(kind="detail"):
            if page.status is not None and page.status >= 400:
                continue
            summary.pages += 1
            try:
                doc = parse(page.body, page.url, attachments=attachments, listing=listings.get(page.url))
            except ParseError as err:
                store.record_parse_failure(page.url, page.sha256, f"{err.reason}: {err}")
                summary.failed += 1
                summary.failures.append((page.url, str(err)))
                continue
            outcome = store.upsert_document(doc, fetched_at=page.fetched_at)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        with store.transaction() as db:
            refresh_all(db, as_of)
    return summary
