"""The `document_tables` table: the tables of each document's body, one row per table.

Columns: `document_id`, `seq` (0-based, as `Document.tables`), `source` ("body" or
"attachment:N"), `rows` (a JSON array of arrays of cell texts). The table is created by
migration 2 of `output.db` (`create`) and rewritten with the document's other rows (`write`).

    SELECT d.title, t.seq, json_array_length(t.rows) AS row_count
    FROM document_tables t JOIN documents d ON d.id = t.document_id;
"""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils

from parsers.model import Document

TABLE = "document_tables"


def create(db: sqlite_utils.Database) -> None:
    """Create the table (idempotent): migration 2 of the store."""
    table = db.table(TABLE)
    if not table.exists():
        table.create(
            {"document_id": str, "seq": int, "source": str, "rows": str},
            pk=("document_id", "seq"),
            not_null={"source", "rows"},
            foreign_keys=[("document_id", "documents", "id")],
        )
    table.create_index(("document_id",), if_not_exists=True)


def write(conn: sqlite3.Connection, doc: Document) -> None:
    """Replace the document's tables by those it has now (inside the caller's transaction)."""
    conn.execute(f"DELETE FROM {TABLE} WHERE document_id = ?", (doc.id,))
    if doc.tables:
        conn.executemany(
            f"INSERT INTO {TABLE} (document_id, seq, source, rows) VALUES (?,?,?,?)",
            [(doc.id, t.seq, t.source, json.dumps([list(r) for r in t.rows], ensure_ascii=False)) for t in doc.tables],
        )
