"""The SQLite schema: the column table of every table the store writes, and the migrations.

`TABLES_V1` is the one place the columns of the store's own tables are written: the DDL of
migration 1 is made from it, and the writes (output/pages.py, output/documents.py,
output/runs.py) use dict rows keyed by its column names. Step N of `MIGRATIONS` brings a
database from `PRAGMA user_version` N-1 to N; `output.db.Store` runs the steps it lacks, each
in a write transaction, when it opens a database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils

from output import tables as document_tables


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> None:
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


# Migration 1: the schema of ARCHITECTURE.md. Each table: (columns, pk, not_null, defaults,
# foreign keys). Columns never change meaning; a later migration adds, it does not edit this.
TABLES_V1: dict[str, dict[str, Any]] = {
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
INDEXES_V1: tuple[tuple[str, tuple[str, ...], bool], ...] = (
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
    for name, spec in TABLES_V1.items():
        _create_or_complete(db, name, spec)
    for table, columns, unique in INDEXES_V1:
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
