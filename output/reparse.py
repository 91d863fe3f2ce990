"""Rebuild every document from the raw pages already stored: no fetching.

The crawl stores every response raw in `pages` before parsing it, so a better parser can be run
over the whole archive again. The inputs are the same the crawl used: the detail page with the
Content-Type it was served with, the list entry it was found on (from the stored list pages) and
its stored attachments, and the document is moved to the same canonical address
(`parsers.canonical`), so a reparse with the same parser gives the same documents as the crawl.

With `jobs` > 1, that many processes parse (each reads the pages it parses from the database
itself, so no page body crosses a pipe) and this process writes, in page order, under group
commit: the same database as one process gives, faster on several cores.
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from parsers import Document, ListItem, ParseError, parse, parse_list_page
from parsers.canonical import origin

# Documents written per commit (group commit): one transaction and one full-text index pass for
# this many documents instead of one each, the way a crawl commits.
COMMIT_EVERY = 200
# Pages handed to a parsing process at a time: enough to keep the pipe's round trips off the
# profile, few enough that the writer never waits long for the first ones.
CHUNK = 8


@dataclass
class ReparseSummary:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1

    @property
    def per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        return (
            f"reparsed {self.pages} pages: {self.new} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed "
            f"in {self.seconds:.1f} s ({self.per_second:.0f} documents/s, {self.jobs} "
            f"{'process' if self.jobs == 1 else 'processes'})"
        )


@dataclass(frozen=True)
class PageToParse:
    """One stored detail page to parse again (its body is read where it is parsed)."""

    id: int
    url: str
    sha256: str
    fetched_at: str
    content_type: str | None
    listing: ListItem | None


@dataclass(frozen=True)
class Reparsed:
    """What parsing one page gave: the document, or why there is none."""

    page: PageToParse
    document: Document | None
    failure: str | None = None  # "reason: message"
    page_origin: str = ""  # scheme://host[:port] the page was fetched from (read where it is parsed)
    # document_json(document), made where it is parsed: the one writing process then only
    # compares it with the stored line (most documents of a reparse are unchanged)
    payload: str | None = None


class StoredAttachments(Mapping):
    """Attachment URL → stored raw bytes, read from `pages` only when the parser asks."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def __getitem__(self, url: str) -> bytes:
        # Only a successful answer is the file: a stored 404 page for a broken attachment link
        # is kept in `pages` for the record, but the crawl never handed it to the parser either.
        row = self._conn.execute(
            "SELECT status, body FROM pages WHERE url = ? ORDER BY last_checked DESC, id DESC LIMIT 1", (url,)
        ).fetchone()
        if row is None or (row[0] is not None and not 200 <= row[0] < 300):
            raise KeyError(url)
        return zlib.decompress(row[1])

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


def pages_to_parse(conn: sqlite3.Connection, listings: Mapping[str, ListItem]) -> list[PageToParse]:
    """The newest content of every detail URL that is not a 4xx/5xx answer, in URL order."""
    rows = conn.execute(
        "SELECT id, url, sha256, fetched_at, content_type, status FROM (SELECT *, row_number() OVER ("
        " PARTITION BY url ORDER BY last_checked DESC, id DESC) AS rank FROM pages WHERE kind = 'detail')"
        " WHERE rank = 1 ORDER BY url"
    )
    return [
        PageToParse(page_id, url, sha, at, content_type, listings.get(url))
        for page_id, url, sha, at, content_type, status in rows
        if status is None or status < 400
    ]


class _Parser:
    """Parses stored pages, reading them through its own connection (one per process)."""

    def __init__(self, db_path: str, canonical_base: str):
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        self.conn.execute("PRAGMA busy_timeout = 30000")
        self.attachments = StoredAttachments(self.conn)
        self.canonical_base = canonical_base

    def __call__(self, page: PageToParse) -> Reparsed:
        from parsers.canonical import canonical_document

        (body,) = self.conn.execute("SELECT body FROM pages WHERE id = ?", (page.id,)).fetchone()
        try:
            doc = parse(
                zlib.decompress(body), page.url, attachments=self.attachments, listing=page.listing,
                content_type=page.content_type,
            )
        except ParseError as err:
            return Reparsed(page, None, f"{err.reason}: {err}")
        from output.documents import document_json

        doc = canonical_document(doc, self.canonical_base)
        return Reparsed(page, doc, page_origin=origin(page.url), payload=document_json(doc))


_PROCESS_PARSER: _Parser | None = None


def _start_process(db_path: str, canonical_base: str) -> None:
    global _PROCESS_PARSER
    _PROCESS_PARSER = _Parser(db_path, canonical_base)


def _parse_in_process(page: PageToParse) -> Reparsed:
    return _PROCESS_PARSER(page)


def _parsing_processes(db_path: str, canonical_base: str, jobs: int):
    """A pool of `jobs` parsing processes, or None for parsing here."""
    if jobs <= 1:
        return None
    import multiprocessing

    # spawn: a fork would copy this process's open SQLite connection and lock into the children
    context = multiprocessing.get_context("spawn")
    return context.Pool(jobs, initializer=_start_process, initargs=(db_path, canonical_base))


def _reparsed(pool, db_path: str, canonical_base: str, pages: list[PageToParse]) -> Iterator[Reparsed]:
    """Every page parsed, in the order of `pages`: by `pool`, or here."""
    if pool is not None:
        yield from pool.imap(_parse_in_process, pages, chunksize=CHUNK)
        return
    parser = _Parser(db_path, canonical_base)
    try:
        yield from map(parser, pages)
    finally:
        parser.conn.close()


def reparse_all(db_path: str, *, canonical_base: str, jobs: int = 1, as_of: str | None = None) -> ReparseSummary:
    """Parse every stored detail page again and upsert the documents, then recompute every
    document's validity (as of `as_of`, an ISO date, or today); returns the counts.

    `canonical_base`: the crawl's NDRC_CANONICAL_BASE. `jobs`: processes that parse (1: this one).
    """
    from output.db import Store
    from output.validity import refresh_all

    started = time.perf_counter()
    store = Store(db_path)
    summary = ReparseSummary(jobs=max(1, int(jobs)))
    pool = None
    try:
        with store.lock():
            # started first: the processes load the parsers while this one reads the list pages
            pool = _parsing_processes(str(store.path), canonical_base, summary.jobs)
            listings = listings_from_pages(store)
            pages = pages_to_parse(store.db.conn, listings)
            store.group_commits(True)
            written = 0
            for result in _reparsed(pool, str(store.path), canonical_base, pages):
                summary.pages += 1
                page = result.page
                if result.document is None:
                    store.record_parse_failure(page.url, page.sha256, result.failure)
                    summary.failed += 1
                    summary.failures.append((page.url, result.failure.split(": ", 1)[-1]))
                    continue
                outcome = store.upsert_document(
                    result.document, fetched_at=page.fetched_at, page_origin=result.page_origin,
                    payload=result.payload,
                )
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                written += 1
                if written % COMMIT_EVERY == 0:
                    store.commit()
            store.group_commits(False)
            with store.transaction() as db:
                refresh_all(db, as_of)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary
