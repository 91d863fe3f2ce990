"""The SQLite store (`Store`): the connection, transactions, group commit and the run lock.

Every write goes through `Store`, which opens the transaction and hands it to the module that
owns the rows: the schema and its migrations are `output.schema`, raw pages `output.pages`,
documents with their versions, withdrawals and parse failures `output.documents`, crawl runs
`output.runs` (tables of ARCHITECTURE.md, "SQLite tables"). The full-text tables belong to
`output.search` and the citation relations to `output.relations` (the `citations` view over
them to `output.citations`), which the store calls unless opened with `extensions=False`:
relations and validity after each document write, the search index for all documents a
transaction wrote just before it commits.

    >>> store = Store("data/ndrc.sqlite")
    >>> with store.lock():
    ...     ref = store.save_page(url, status=200, body=raw, kind="detail")
    ...     store.upsert_document(parse(raw, url))
    'new'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from output import documents, pages, runs, schema
from output.documents import UNCHANGED
from output.pages import PageRef, StoredPage
from output.timestamps import timestamp, utc_now
from parsers.model import Document

# How long a writer waits for another connection's write transaction before giving up. A crawl
# commits its writes in groups at least every NDRC_COMMIT_INTERVAL seconds (a fraction of one), so
# waits are short; a reader (export, Datasette) never blocks a writer in WAL mode, but a second
# writer (reparse beside a crawl) must queue, not fail.
BUSY_TIMEOUT_MS = 30_000

# synchronous=NORMAL in WAL mode: a killed process never corrupts the database and loses no
# committed transaction; only a power cut may lose the last few commits (they are re-fetched by
# the next incremental crawl). FULL would fsync on every document and slow a crawl for nothing.
SYNCHRONOUS = "NORMAL"


class StoreError(RuntimeError):
    """The database cannot be used as asked; `str()` is one line a person can act on."""


class StoreLocked(StoreError):
    """Another run holds the lock on this database."""


class Store:
    """The project's SQLite database. One instance per process; not shared between threads.

    `db` is the sqlite-utils `Database` for readers (search, citations, Datasette helpers).
    Every write method runs in its own transaction, or inside the caller's `transaction()`, or
    joins the open group under group commit (`group_commits`, as a crawl does).
    """

    def __init__(self, path: str | os.PathLike, *, extensions: bool = True):
        """Open or create the database at `path`, upgrading its schema to the current version.

        `extensions=False` skips the hooks of `output.search` and `output.relations` (tests of
        the store alone, bulk loads that index afterwards).
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite_utils.Database(self.path)
            conn = self.db.conn
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            self.db.enable_wal()
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        except sqlite3.DatabaseError as err:
            raise StoreError(f"{self.path}: not a usable SQLite database ({err})") from None
        # Documents written in the open transaction, in order: indexed together just before it
        # commits (see `transaction`). Group commit (`group_commits`) keeps one transaction open.
        self._unindexed: dict[str, None] = {}
        self._grouping = False
        self._migrate()
        self._extensions = bool(extensions)
        if extensions:
            from output.search import index as search_index

            # only a database without the tables takes the write lock here: opening one to read
            # must not wait for a crawl, whose writes hold the lock most of the time
            if not search_index.installed(self.db):
                with self.transaction():
                    search_index.install(self.db)

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Commit what group commit holds, then close the connection."""
        if self._grouping:
            self.group_commits(False)
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        target = len(schema.MIGRATIONS)
        current = self.schema_version
        if current > target:
            raise StoreError(
                f"{self.path}: database schema version {current} is newer than this ndrc-policy "
                f"knows ({target}); upgrade ndrc-policy"
            )
        while current < target:
            with self.transaction():
                # Re-read under the write lock: another process may have migrated meanwhile.
                current = self.schema_version
                if current >= target:
                    break
                schema.MIGRATIONS[current](self.db)
                current += 1
                self.db.execute(f"PRAGMA user_version = {current}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction (BEGIN IMMEDIATE), or a savepoint when one is already open.

        IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        writes fails at once with SQLITE_BUSY when another process committed in between.
        The documents the transaction wrote are indexed for search just before it commits.
        Under group commit the transaction stays open when the block ends: later writes join
        it (each in its own savepoint) until `commit()`.
        """
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            if not self._grouping:
                self._index_written()
                self.db.commit()
        except BaseException:
            self._rollback()
            raise

    def group_commits(self, on: bool = True) -> None:
        """Turn group commit on or off; turning it off commits what is held.

        On, the first write opens a transaction that later writes join until `commit()`, so a
        crawl pays one commit (and one search-index segment per full-text table) for many
        pages and documents instead of one each. Each write still succeeds or fails whole (a
        savepoint). A process killed before `commit()` loses the held writes, never committed
        ones, and the database stays intact: a crawl then fetches those pages again, as if it
        had been killed before reaching them. Other connections see the writes only once
        committed, and wait for the write lock meanwhile (BUSY_TIMEOUT_MS).
        """
        if not on:
            self.commit()
        self._grouping = bool(on)

    def commit(self) -> bool:
        """Commit the open transaction (documents indexed first); False when none was open.

        For group commit only: never call it inside a `transaction()` block. On an error the
        held writes are rolled back and the error raised.
        """
        if not self.db.conn.in_transaction:
            return False
        try:
            self._index_written()
            self.db.commit()
        except BaseException:
            self._rollback()
            raise
        return True

    def rollback(self) -> None:
        """Drop the open transaction: what group commit holds is lost, never half kept.

        For group commit only, when the held writes must not be committed (earlier ones of the
        same crawl were lost); never call it inside a `transaction()` block.
        """
        self._rollback()

    def _index_written(self) -> None:
        """Index every document the open transaction wrote, in one pass and in write order.

        Only here, right before COMMIT, is the full-text index written: FTS5 writes a segment
        at every savepoint, and the writes of a transaction are savepoints under group commit
        (see output.search.index_documents). The index reads the documents' rows as they are
        now, so a document written twice, or rolled back to a savepoint, is indexed as stored.
        """
        if self._unindexed:
            ids = list(self._unindexed)
            if self._extensions:
                from output.search import index as search_index

                search_index.index_documents(self.db, ids)
            self._unindexed.clear()

    def _rollback(self) -> None:
        self._unindexed.clear()
        self.db.rollback()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the exclusive run lock on `<db path>.lock` for the block, or raise `StoreLocked`.

        Non-blocking: a second crawl on the same database exits at once instead of queueing.
        The lock is the kernel's (flock), so it goes away with the process however it ends.
        """
        lock_path = Path(f"{self.path}.lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise StoreLocked(
                    f"another ndrc-policy run{who} is using {self.path}; wait for it to finish"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


    # -- raw pages (output/pages.py) ----------------------------------------------------------

    def save_page(
        self,
        url: str,
        *,
        status: int | None,
        body: bytes,
        kind: str,
        content_type: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        fetched_at: str | dt.datetime | None = None,
    ) -> PageRef:
        """Store one response raw, before it is parsed; one row per distinct (url, body).

        A body already stored for this URL only moves `last_checked` (and takes the response's
        validators). `changed` is True when the URL's newest content is now different from
        what it was before this call (new URL, new content, or content reverting to an old one).
        """
        body = pages.check_page(kind, body)
        at = timestamp(fetched_at)
        with self.transaction() as db:
            return pages.save_page(
                db, url, status=status, body=body, kind=kind, content_type=content_type,
                etag=etag, last_modified=last_modified, at=at,
            )

    def newest_sha256(self, url: str) -> str | None:
        """The sha256 of the newest stored content of `url`, or None when it was never stored."""
        row = pages.newest_page(self.db, url, "sha256")
        return None if row is None else row[0]

    def touch_page(self, url: str, fetched_at: str | dt.datetime | None = None) -> bool:
        """Record a 304 Not Modified: the newest content of `url` was checked again. False if unknown."""
        at = timestamp(fetched_at)
        with self.transaction() as db:
            return pages.touch_page(db, url, at)

    def page_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) of the newest content of `url` for a conditional request, or None."""
        return pages.page_validators(self.db, url)

    def page_body(self, url: str) -> bytes | None:
        """The raw bytes of the newest content of `url`, or None."""
        return pages.page_body(self.db, url)

    def latest_pages(self, kind: str | None = None) -> Iterator[StoredPage]:
        """The newest content of every URL (of one kind), in URL order, for a reparse."""
        return pages.latest_pages(self.db, kind)

    def attachment_file(
        self,
        url: str,
        *,
        sha256: str | None = None,
        size: int | None = None,
        file_type: str | None = None,
    ) -> int:
        """Record hash, size and type of an attachment file the parsers could not read.

        The raw bytes are in `pages` (kind "attachment"); without `sha256`/`size` they are taken
        from the newest stored content of `url`. Updates every stored attachment row linking to
        `url` and returns how many; `upsert_document` also fills these from `pages` itself, so
        the order of the two calls does not matter.
        """
        if sha256 is None or size is None:
            row = pages.stored_file(self.db, url)
            if row is not None:
                sha256 = sha256 if sha256 is not None else row[0]
                size = size if size is not None else row[1]
        with self.transaction() as db:
            return pages.attachment_file(db, url, sha256=sha256, size=size, file_type=file_type)

    # -- documents (output/documents.py) ------------------------------------------------------

    def upsert_document(
        self, doc: Document, *, fetched_at: str | dt.datetime | None = None, page_origin: str | None = None,
        payload: str | None = None,
    ) -> str:
        """Store one parsed document in one transaction; returns "new", "updated" or "unchanged".

        See `output.documents.upsert_document`; `page_origin` is the `scheme://host[:port]` its
        page was fetched from when that is not the document's own (canonical) address;
        `payload` its `document_json`, when made already.
        """
        at = timestamp(fetched_at)
        with self.transaction() as db:
            outcome = documents.upsert_document(
                db, doc, at=at, page_origin=page_origin, relations=self._extensions, payload=payload
            )
            if outcome != UNCHANGED:
                # last: the index is written when the transaction commits (see _index_written)
                self._unindexed[doc.id] = None
        return outcome

    def mark_withdrawn(self, url: str, date: str | dt.date) -> bool:
        """Mark the document at `url` withdrawn from the site on `date`; it is never deleted.

        Returns True only when this call withdrew it: False when no document has that URL or it
        was withdrawn already (the first date is kept), so a run counts each withdrawal once.
        """
        with self.transaction() as db:
            return documents.withdraw(db, "url", url, date)

    def withdraw(self, document_id: str, date: str | dt.date) -> bool:
        """`mark_withdrawn` by document id: what a crawl knows a page by, whatever its address."""
        with self.transaction() as db:
            return documents.withdraw(db, "id", document_id, date)

    def record_parse_failure(
        self, url: str, sha256: str | None, reason: str, *, at: str | dt.datetime | None = None
    ) -> None:
        """Record that the stored content `sha256` of `url` held no document, and why."""
        at = timestamp(at)
        with self.transaction() as db:
            documents.record_parse_failure(db, url, sha256, reason, at)

    def known_documents(self) -> dict[str, tuple[str, str | None, str]]:
        """url -> (id, publish_date, status) of every stored document, for an incremental crawl."""
        return documents.known_documents(self.db)

    def document_dict(self, doc_id: str, version: int | None = None) -> dict[str, Any] | None:
        """The stored document JSON (current version, or `version`) as a dict, or None."""
        return documents.document_dict(self.db, doc_id, version)

    # -- crawl runs (output/runs.py) ----------------------------------------------------------

    def start_run(self, base_url: str, columns: Sequence[str] | str | None, full: bool) -> int:
        """Open a crawl_runs row; returns its id for `finish_run`."""
        with self.transaction() as db:
            return runs.start_run(db, base_url, columns, full, utc_now())

    def finish_run(self, run_id: int, *, finished_at: str | dt.datetime | None = None, **figures: Any) -> None:
        """Close a crawl run with its figures (the `output.runs.RUN_FIGURES` columns)."""
        runs.check_figures(figures)
        finished_at = timestamp(finished_at)
        with self.transaction() as db:
            if not runs.finish_run(db, run_id, finished_at, figures):
                raise StoreError(f"no crawl run {run_id} in {self.path}")

    def last_runs(self, n: int = 10) -> list[dict[str, Any]]:
        """The newest `n` crawl runs, newest first, as dicts (columns decoded from JSON)."""
        return runs.last_runs(self.db, n)
