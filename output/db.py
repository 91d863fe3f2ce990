"""The SQLite store: schema, migrations and every write, through sqlite-utils (`Store`).

Holds the raw pages (every response, zlib-compressed, stored before it is parsed), the parsed
documents with their issuers, articles, attachments and 解读 links, one `document_versions` row per
distinct content a document has had, parse failures and crawl runs. The tables are those of
ARCHITECTURE.md ("SQLite tables"); the full-text tables belong to `output.search` and the citation
relations to `output.relations` (the `citations` view over them to `output.citations`), which this
module calls (unless opened with `extensions=False`): relations and validity after each document
write, the search index for all documents a transaction wrote just before it commits.

    >>> store = Store("data/ndrc.sqlite")
    >>> with store.lock():
    ...     ref = store.save_page(url, status=200, body=raw, kind="detail")
    ...     store.upsert_document(parse(raw, url))
    'new'
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils

from output import tables as document_tables
from parsers.canonical import origin, rebase
from parsers.model import Article, Document

# How long a writer waits for another connection's write transaction before giving up. A crawl
# commits its writes in groups at least every NDRC_COMMIT_INTERVAL seconds (a fraction of one), so
# waits are short; a reader (export, Datasette) never blocks a writer in WAL mode, but a second
# writer (reparse beside a crawl) must queue, not fail.
BUSY_TIMEOUT_MS = 30_000

# synchronous=NORMAL in WAL mode: a killed process never corrupts the database and loses no
# committed transaction; only a power cut may lose the last few commits (they are re-fetched by
# the next incremental crawl). FULL would fsync on every document and slow a crawl for nothing.
SYNCHRONOUS = "NORMAL"

# zlib level for raw page bodies: 6 is zlib's own default balance; HTML shrinks about 5x.
PAGE_COMPRESSION_LEVEL = 6

# The kinds of raw page the crawler stores; anything else is a programming error upstream.
PAGE_KINDS = frozenset({"list", "detail", "attachment", "other"})

DOCUMENT_STATUSES = ("active", "withdrawn")

# An article row is the document id and these fields of parsers.model.Article, under their names.
ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))

# The outcomes of upsert_document.
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"

# The figures a crawl run may record (columns of crawl_runs besides the ones start_run fills).
RUN_FIGURES = (
    "requests",
    "documents_new",
    "documents_updated",
    "documents_withdrawn",
    "documents_failed",
    "blocked",
    "exit_status",
    "message",
)


class StoreError(RuntimeError):
    """The database cannot be used as asked; `str()` is one line a person can act on."""


class StoreLocked(StoreError):
    """Another run holds the lock on this database."""


class PageRef(NamedTuple):
    """A stored raw page: its row id, the sha256 of its body, and whether the URL's content changed."""

    id: int
    sha256: str
    changed: bool


class StoredPage(NamedTuple):
    """The newest stored content of one URL, as `latest_pages` yields it."""

    url: str
    body: bytes
    sha256: str
    fetched_at: str
    status: int | None


def utc_now() -> str:
    """The current time as the store writes it: ISO 8601, UTC, whole seconds, `Z`."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp(value: str | dt.datetime | dt.date | float | None) -> str:
    """Normalise a time to the store's form (UTC ISO 8601 with `Z`); None means now.

    Timestamps from different sources then compare correctly as strings, which `export --since`
    and "newest content" rely on. A naive time is taken as UTC; a number is Unix seconds.
    """
    if value is None:
        return utc_now()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = dt.datetime.fromtimestamp(value, dt.timezone.utc)
    elif isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or time: {value!r}") from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    elif not isinstance(value, dt.datetime):
        raise ValueError(f"not an ISO 8601 date or time: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def document_json(doc: Document) -> str:
    """The canonical document JSON: compact, keys sorted, UTF-8 without escapes.

    Stored in document_versions and written as-is by the export, so an unchanged document gives
    byte-identical output.
    """
    return json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _iso_day(date: str | dt.date) -> str:
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    try:
        dt.date.fromisoformat(day[:10])
    except ValueError:
        raise ValueError(f"withdrawn date must be an ISO date, not {date!r}") from None
    return day


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows (all with the same keys) in one executemany.

    sqlite-utils' `insert_all` does the same with checks of the table and a savepoint per call;
    on a document's few child rows, written for every document of a crawl, those made the
    writes 60 % slower (1,500 generated documents: 0.50 s -> 0.79 s).
    """
    if rows:
        columns = list(rows[0])
        db.conn.executemany(
            f"INSERT INTO [{table}] ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [tuple(row.values()) for row in rows],
        )


# --------------------------------------------------------------------------------------------
# Schema and migrations

# Migration 1: the schema of ARCHITECTURE.md. Each table: (columns, pk, not_null, defaults,
# foreign keys). Columns never change meaning; a later migration adds, it does not edit this.
_TABLES_V1: dict[str, dict[str, Any]] = {
    "documents": dict(
        columns={
            "id": str,
            "url": str,
            "category": str,
            "title": str,
            "doc_number": str,
            "doc_number_prefix": str,
            "doc_number_year": int,
            "doc_number_serial": int,
            "publish_date": str,
            "written_date": str,
            "effective_date": str,
            "source": str,
            "addressees": str,
            "body_text": str,
            "preamble": str,
            "warnings": str,
            "content_sha256": str,
            "parser_version": str,
            "status": str,
            "withdrawn_date": str,
            "first_seen": str,
            "last_seen": str,
            "updated_at": str,
            "version": int,
        },
        pk="id",
        not_null={"body_text", "content_sha256", "status", "version", "first_seen"},
        defaults={"status": "active", "warnings": "[]"},
    ),
    "issuers": dict(
        columns={"document_id": str, "position": int, "name": str},
        pk=("document_id", "position"),
        not_null={"name"},
        foreign_keys=[("document_id", "documents", "id")],
    ),
    "articles": dict(
        columns={
            "document_id": str,
            "seq": int,
            "level": int,
            "label": str,
            "number": int,
            "heading": str,
            "text": str,
            "parent": int,
            "source": str,
        },
        pk=("document_id", "seq"),
        not_null={"level", "label", "text", "source"},
        foreign_keys=[("document_id", "documents", "id")],
    ),
    "attachments": dict(
        columns={
            "document_id": str,
            "position": int,
            "title": str,
            "url": str,
            "file_type": str,
            "text": str,
            "sha256": str,
            "size": int,
        },
        pk=("document_id", "position"),
        foreign_keys=[("document_id", "documents", "id")],
    ),
    "interpretations": dict(
        columns={
            "document_id": str,
            "position": int,
            "title": str,
            "url": str,
            "interpretation_id": str,
        },
        pk=("document_id", "position"),
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("interpretation_id", "documents", "id"),
        ],
    ),
    "pages": dict(
        columns={
            "id": int,
            "url": str,
            "kind": str,
            "status": int,
            "fetched_at": str,
            "last_checked": str,
            "sha256": str,
            "size": int,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "body": bytes,
        },
        pk="id",
        not_null={"url", "kind", "fetched_at", "last_checked", "sha256", "size", "body"},
    ),
    "document_versions": dict(
        columns={
            "document_id": str,
            "version": int,
            "content_sha256": str,
            "fetched_at": str,
            "document_json": str,
        },
        pk=("document_id", "version"),
        not_null={"content_sha256", "document_json"},
        foreign_keys=[("document_id", "documents", "id")],
    ),
    "crawl_runs": dict(
        columns={
            "id": int,
            "started_at": str,
            "finished_at": str,
            "base_url": str,
            "columns": str,
            "full": int,
            "requests": int,
            "documents_new": int,
            "documents_updated": int,
            "documents_withdrawn": int,
            "documents_failed": int,
            "blocked": int,
            "exit_status": int,
            "message": str,
        },
        pk="id",
        not_null={"started_at"},
    ),
    "parse_failures": dict(
        columns={"url": str, "page_sha256": str, "reason": str, "at": str},
        pk=None,
        not_null={"url", "reason", "at"},
    ),
}

# Indexes: what researchers filter and join by, plus the lookups the store itself makes.
# (table, columns, unique)
_INDEXES_V1: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("documents", ("publish_date",), False),
    ("documents", ("category",), False),
    ("documents", ("doc_number",), False),
    ("documents", ("url",), False),  # known_documents, 解读 linking
    ("issuers", ("name",), False),
    ("articles", ("document_id",), False),
    ("interpretations", ("url",), False),  # linking a 解读 that arrives after the document citing it
    ("pages", ("url", "sha256"), True),  # one row per distinct content of a URL
    ("pages", ("url", "last_checked"), False),  # newest content of a URL
    ("pages", ("kind",), False),
    ("parse_failures", ("url", "page_sha256"), True),  # one row per failing content, re-dated
)


def _create_or_complete(db: sqlite_utils.Database, name: str, spec: dict[str, Any]) -> None:
    """Create a table, or add the columns a table made before versioning lacks (never drops one)."""
    table = db.table(name)
    if table.exists():
        have = table.columns_dict
        for column, kind in spec["columns"].items():
            if column not in have:
                table.add_column(column, kind, not_null_default=spec.get("defaults", {}).get(column))
        return
    table.create(
        spec["columns"],
        pk=spec["pk"],
        not_null=spec.get("not_null"),
        defaults=spec.get("defaults"),
        foreign_keys=spec.get("foreign_keys"),
    )


def _migration_1(db: sqlite_utils.Database) -> None:
    """The schema of ARCHITECTURE.md."""
    for name, spec in _TABLES_V1.items():
        _create_or_complete(db, name, spec)
    for table, columns, unique in _INDEXES_V1:
        db.table(table).create_index(columns, unique=unique, if_not_exists=True)


# Migration 2: relations between documents and validity (output/relations.py, output/validity.py).
# `citations` becomes a view over `relations` (one reader, output/citations.py): the table that
# held the same rows is dropped and the rows are rebuilt from the stored documents.
_RELATIONS_V2 = (
    """CREATE TABLE IF NOT EXISTS relations (
    document_id TEXT NOT NULL,    -- the document that says it
    position INTEGER NOT NULL,    -- 1-based, in reading order
    relation TEXT NOT NULL,       -- repeals | replaces | amends | implements | interprets | cites
    target_doc_number TEXT,       -- the target's 文号 or order number, normalised (any issuer's)
    target_title TEXT,            -- the target's title, normalised
    target_id TEXT,               -- the target when it is stored
    article_seq INTEGER,          -- the article the sentence stands in
    text TEXT NOT NULL,           -- the sentence
    resolved_by TEXT,             -- doc_number | doc_number_and_title | title | fuzzy_title
    warning TEXT,                 -- why a target was left unresolved, or matched loosely
    PRIMARY KEY (document_id, position))""",
    "CREATE INDEX IF NOT EXISTS relations_target_id ON relations (target_id)",
    "CREATE INDEX IF NOT EXISTS relations_target_doc_number ON relations (target_doc_number)",
    "CREATE INDEX IF NOT EXISTS relations_target_title ON relations (target_title)",
    # a 解读 page's interprets target found through the document listing it (output/relations.py)
    "CREATE INDEX IF NOT EXISTS interpretations_interpretation_id ON interpretations (interpretation_id)",
    """CREATE TABLE IF NOT EXISTS document_title_keys (
    document_id TEXT NOT NULL,
    key TEXT NOT NULL,            -- a normal form a citation may name the title by
    kind TEXT NOT NULL,           -- exact | loose
    PRIMARY KEY (document_id, key, kind))""",
    "CREATE INDEX IF NOT EXISTS document_title_keys_key ON document_title_keys (key, kind)",
    """CREATE TABLE IF NOT EXISTS relation_target_keys (
    document_id TEXT NOT NULL,    -- a relations row of a title-only target: the keys it may match
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,           -- exact | loose
    PRIMARY KEY (document_id, position, key, kind))""",
    "CREATE INDEX IF NOT EXISTS relation_target_keys_key ON relation_target_keys (key, kind)",
    "DROP TABLE IF EXISTS citations",
)


def _migration_2(db: sqlite_utils.Database) -> None:
    """documents.expiry_date / validity / validity_basis, the relations table, citations as a view."""
    documents = db.table("documents")
    for column in ("expiry_date", "validity", "validity_basis"):
        if column not in documents.columns_dict:
            documents.add_column(column, str)
    for statement in _RELATIONS_V2:
        db.execute(statement)
    from output import citations, relations

    citations.install(db)
    relations.rebuild(db)


def _migration_3(db: sqlite_utils.Database) -> None:
    """`document_tables` (output/tables.py): the tables of each document's body."""
    document_tables.create(db)


# The migrations in order: step N brings a database from user_version N-1 to N. Append only;
# a step that has shipped is never edited, so every database passes through the same steps.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migration_1, _migration_2, _migration_3]


# --------------------------------------------------------------------------------------------


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
        target = len(MIGRATIONS)
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
                MIGRATIONS[current](self.db)
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

    # -- raw pages --------------------------------------------------------------------------

    def _newest_page(self, url: str, columns: str) -> tuple | None:
        return self.db.execute(
            f"SELECT {columns} FROM pages WHERE url = ? ORDER BY last_checked DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()

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
        if kind not in PAGE_KINDS:
            raise ValueError(f"page kind must be one of {sorted(PAGE_KINDS)}, not {kind!r}")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(f"page body must be bytes, not {type(body).__name__}")
        body = bytes(body)
        sha = hashlib.sha256(body).hexdigest()
        at = timestamp(fetched_at)
        with self.transaction() as db:
            previous = self._newest_page(url, "sha256")
            row = db.execute("SELECT id FROM pages WHERE url = ? AND sha256 = ?", (url, sha)).fetchone()
            if row is None:
                cursor = db.execute(
                    "INSERT INTO pages (url, kind, status, fetched_at, last_checked, sha256, size,"
                    " content_type, etag, last_modified, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (url, kind, status, at, at, sha, len(body), content_type, etag, last_modified,
                     zlib.compress(body, PAGE_COMPRESSION_LEVEL)),
                )
                page_id = cursor.lastrowid
            else:
                page_id = row[0]
                db.execute(
                    "UPDATE pages SET last_checked = max(last_checked, ?), status = ?,"
                    " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
                    " content_type = coalesce(?, content_type) WHERE id = ?",
                    (at, status, etag, last_modified, content_type, page_id),
                )
        return PageRef(page_id, sha, previous is None or previous[0] != sha)

    def newest_sha256(self, url: str) -> str | None:
        """The sha256 of the newest stored content of `url`, or None when it was never stored."""
        row = self._newest_page(url, "sha256")
        return None if row is None else row[0]

    def touch_page(self, url: str, fetched_at: str | dt.datetime | None = None) -> bool:
        """Record a 304 Not Modified: the newest content of `url` was checked again. False if unknown."""
        at = timestamp(fetched_at)
        with self.transaction() as db:
            row = self._newest_page(url, "id")
            if row is None:
                return False
            db.execute("UPDATE pages SET last_checked = max(last_checked, ?) WHERE id = ?", (at, row[0]))
        return True

    def page_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """(etag, last_modified) of the newest content of `url` for a conditional request.

        None when the URL was never stored, its newest response was not a 200, or it carried
        neither validator: the next request must then be unconditional.
        """
        row = self._newest_page(url, "status, etag, last_modified")
        if row is None or row[0] != 200 or (row[1] is None and row[2] is None):
            return None
        return row[1], row[2]

    def page_body(self, url: str) -> bytes | None:
        """The raw bytes of the newest content of `url`, or None."""
        row = self._newest_page(url, "body")
        return None if row is None else zlib.decompress(row[0])

    def latest_pages(self, kind: str | None = None) -> Iterator[StoredPage]:
        """The newest content of every URL (of one kind), in URL order, for a reparse.

        The row ids are read first and each body fetched on its own, so the caller may write
        to the store while iterating and memory stays flat.
        """
        where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM (SELECT id, url, row_number() OVER ("
                " PARTITION BY url ORDER BY last_checked DESC, id DESC) AS rank"
                f" FROM pages {where}) WHERE rank = 1 ORDER BY url",
                params,
            )
        ]
        for page_id in ids:
            row = self.db.execute(
                "SELECT url, body, sha256, fetched_at, status FROM pages WHERE id = ?", (page_id,)
            ).fetchone()
            if row is not None:
                yield StoredPage(row[0], zlib.decompress(row[1]), row[2], row[3], row[4])

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
            row = self._newest_page(url, "sha256, size")
            if row is not None:
                sha256 = sha256 if sha256 is not None else row[0]
                size = size if size is not None else row[1]
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE attachments SET sha256 = coalesce(?, sha256), size = coalesce(?, size),"
                " file_type = coalesce(?, file_type) WHERE url = ?",
                (sha256, size, file_type.lower() if file_type else None, url),
            )
        return cursor.rowcount

    # -- documents --------------------------------------------------------------------------

    def upsert_document(
        self, doc: Document, *, fetched_at: str | dt.datetime | None = None, page_origin: str | None = None
    ) -> str:
        """Store one parsed document in one transaction; returns "new", "updated" or "unchanged".

        `page_origin`: the `scheme://host[:port]` its page was fetched from when that is not the
        document's own (canonical) address: its attachments' raw files are found in `pages` there.

        A content (content_sha256) never seen for this document adds a `document_versions` row,
        so every earlier content stays. The same content parsed differently (a newer parser)
        rewrites the rows and the current version's JSON without a new version. The same
        document again changes nothing but `last_seen`. A withdrawn document stays withdrawn.
        """
        if not doc.id:
            raise ValueError(f"document has no id (url {doc.url!r}); cannot store it")
        at = timestamp(fetched_at)
        payload = document_json(doc)
        with self.transaction() as db:
            current = db.execute(
                "SELECT d.version, d.content_sha256, v.document_json FROM documents d"
                " LEFT JOIN document_versions v ON v.document_id = d.id AND v.version = d.version"
                " WHERE d.id = ?",
                (doc.id,),
            ).fetchone()
            if current is None:
                outcome, version, first_seen, new_version = NEW, 1, at, True
            else:
                version, content_sha, stored_json = current
                first_seen, new_version = None, content_sha != doc.content_sha256
                if new_version:
                    outcome, version = UPDATED, version + 1
                elif stored_json != payload:
                    outcome = UPDATED
                else:
                    db.execute(
                        "UPDATE documents SET last_seen = max(coalesce(last_seen, ''), ?) WHERE id = ?",
                        (at, doc.id),
                    )
                    return UNCHANGED
            self._write_document(db, doc, version=version, at=at, first_seen=first_seen, page_origin=page_origin)
            if new_version:
                db.execute(
                    "INSERT INTO document_versions (document_id, version, content_sha256, fetched_at,"
                    " document_json) VALUES (?,?,?,?,?)",
                    (doc.id, version, doc.content_sha256, at, payload),
                )
            else:
                db.execute(
                    "UPDATE document_versions SET document_json = ? WHERE document_id = ? AND version = ?",
                    (payload, doc.id, version),
                )
            if doc.url:
                # A 解读 arriving after the documents that link to it.
                db.execute(
                    "UPDATE interpretations SET interpretation_id = ? WHERE url = ?"
                    " AND interpretation_id IS NOT ?",
                    (doc.id, doc.url, doc.id),
                )
            if self._extensions:
                from output import relations

                # relations (and the citations view over them), then validity of what they touch
                relations.refresh_document(db, doc)
            # last: the index is written when the transaction commits (see _index_written)
            self._unindexed[doc.id] = None
        return outcome

    def _write_document(
        self, db: sqlite_utils.Database, doc: Document, *, version: int, at: str, first_seen: str | None,
        page_origin: str | None = None,
    ) -> None:
        parts = doc.doc_number_parts
        row = {
            "id": doc.id,
            "url": doc.url,
            "category": doc.category,
            "title": doc.title,
            "doc_number": doc.doc_number,
            "doc_number_prefix": parts.prefix if parts else None,
            "doc_number_year": parts.year if parts else None,
            "doc_number_serial": parts.serial if parts else None,
            "publish_date": doc.publish_date,
            "written_date": doc.written_date,
            "effective_date": doc.effective_date,
            "expiry_date": doc.expiry_date,
            "source": doc.source,
            "addressees": doc.addressees,
            "body_text": doc.body_text,
            "preamble": doc.preamble,
            "warnings": json.dumps(list(doc.warnings), ensure_ascii=False),
            "content_sha256": doc.content_sha256,
            "parser_version": doc.parser_version,
            "last_seen": at,
            "updated_at": at,
            "version": version,
        }
        if first_seen is not None:
            # status and withdrawn_date are set only here and by mark_withdrawn: a reparse of a
            # withdrawn document's stored page must not bring it back.
            row.update(first_seen=first_seen, status="active", withdrawn_date=None)
            columns = ", ".join(row)
            db.execute(
                f"INSERT INTO documents ({columns}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
        else:
            assignments = ", ".join(f"{k} = ?" for k in row if k != "id")
            db.execute(
                f"UPDATE documents SET {assignments} WHERE id = ?",
                (*(v for k, v in row.items() if k != "id"), doc.id),
            )
            for table in ("issuers", "articles", "attachments", "interpretations"):
                db.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc.id,))
        document_tables.write(db.conn, doc)
        # dict rows keyed by the schema's column names (_TABLES_V1), which are written nowhere else
        _insert_rows(db, "issuers", [
            {"document_id": doc.id, "position": i, "name": name} for i, name in enumerate(doc.issuers, 1)
        ])
        _insert_rows(db, "articles", [
            {"document_id": doc.id, **{f: getattr(a, f) for f in ARTICLE_FIELDS}} for a in doc.articles
        ])
        own = origin(doc.url) if doc.url and page_origin else None
        rows = []
        for i, att in enumerate(doc.attachments, 1):
            fetched = rebase(att.url, own, page_origin) if own else att.url
            stored = self._newest_page(fetched, "sha256, size") if fetched else None
            rows.append({
                "document_id": doc.id, "position": i, "title": att.title, "url": att.url,
                "file_type": att.file_type, "text": att.text,
                "sha256": stored[0] if stored else None, "size": stored[1] if stored else None,
            })
        _insert_rows(db, "attachments", rows)
        rows = []
        for i, link in enumerate(doc.interpretations, 1):
            found = db.execute("SELECT id FROM documents WHERE url = ? LIMIT 1", (link.url,)).fetchone() if link.url else None
            rows.append({"document_id": doc.id, "position": i, "title": link.title, "url": link.url,
                         "interpretation_id": found[0] if found else None})
        _insert_rows(db, "interpretations", rows)

    def mark_withdrawn(self, url: str, date: str | dt.date) -> bool:
        """Mark the document at `url` withdrawn from the site on `date`; it is never deleted.

        Returns True only when this call withdrew it: False when no document has that URL or it
        was withdrawn already (the first date is kept), so a run counts each withdrawal once.
        """
        return self._withdraw("url", url, date)

    def withdraw(self, document_id: str, date: str | dt.date) -> bool:
        """`mark_withdrawn` by document id: what a crawl knows a page by, whatever its address."""
        return self._withdraw("id", document_id, date)

    def _withdraw(self, key: str, value: str, date: str | dt.date) -> bool:
        day = _iso_day(date)
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE documents SET status = 'withdrawn', withdrawn_date = ?"
                f" WHERE {key} = ? AND status != 'withdrawn'",
                (day, value),
            )
        return cursor.rowcount > 0

    def record_parse_failure(
        self, url: str, sha256: str | None, reason: str, *, at: str | dt.datetime | None = None
    ) -> None:
        """Record that the stored content `sha256` of `url` held no document, and why.

        One row per (url, content): failing again re-dates it and keeps the newest reason.
        """
        with self.transaction() as db:
            db.execute(
                "INSERT INTO parse_failures (url, page_sha256, reason, at) VALUES (?,?,?,?)"
                " ON CONFLICT (url, page_sha256) DO UPDATE SET reason = excluded.reason, at = excluded.at",
                (url, sha256 or "", str(reason), timestamp(at)),
            )

    def known_documents(self) -> dict[str, tuple[str, str | None, str]]:
        """url -> (id, publish_date, status) of every stored document, for an incremental crawl."""
        return {
            url: (doc_id, publish_date, status)
            for url, doc_id, publish_date, status in self.db.execute(
                "SELECT url, id, publish_date, status FROM documents WHERE url IS NOT NULL"
            )
        }

    # -- crawl runs -------------------------------------------------------------------------

    def start_run(self, base_url: str, columns: Sequence[str] | str | None, full: bool) -> int:
        """Open a crawl_runs row; returns its id for `finish_run`."""
        if isinstance(columns, str):
            columns = [c for c in columns.split(",") if c]
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO crawl_runs (started_at, base_url, columns, full) VALUES (?,?,?,?)",
                (utc_now(), base_url, json.dumps(list(columns or []), ensure_ascii=False), int(bool(full))),
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, *, finished_at: str | dt.datetime | None = None, **figures: Any) -> None:
        """Close a crawl run with its figures (the RUN_FIGURES columns)."""
        unknown = sorted(set(figures) - set(RUN_FIGURES))
        if unknown:
            raise ValueError(f"unknown crawl run figures {unknown}; known: {', '.join(RUN_FIGURES)}")
        values = {"finished_at": timestamp(finished_at), **figures}
        with self.transaction() as db:
            cursor = db.execute(
                f"UPDATE crawl_runs SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                (*values.values(), run_id),
            )
            if not cursor.rowcount:
                raise StoreError(f"no crawl run {run_id} in {self.path}")

    def last_runs(self, n: int = 10) -> list[dict[str, Any]]:
        """The newest `n` crawl runs, newest first, as dicts (columns decoded from JSON)."""
        rows = list(
            self.db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT :n", {"n": int(n)})
        )
        for row in rows:
            try:
                row["columns"] = json.loads(row["columns"]) if row["columns"] else []
            except ValueError:
                pass
            row["full"] = bool(row["full"])
        return rows

    # -- reading back -----------------------------------------------------------------------

    def document_dict(self, doc_id: str, version: int | None = None) -> dict[str, Any] | None:
        """The stored document JSON (current version, or `version`) as a dict, or None."""
        if version is None:
            row = self.db.execute(
                "SELECT v.document_json FROM documents d JOIN document_versions v"
                " ON v.document_id = d.id AND v.version = d.version WHERE d.id = ?",
                (doc_id,),
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT document_json FROM document_versions WHERE document_id = ? AND version = ?",
                (doc_id, version),
            ).fetchone()
        return None if row is None else json.loads(row[0])

