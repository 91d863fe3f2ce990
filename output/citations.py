"""Citations between documents: every 文号 and every 《title》 a document cites.

What this module holds: the `citations` view (`install`) and the two questions researchers ask
(`cites`: what a document cites; `cited_by`: what cites a document, or a 文号 not (yet) in the
database). The rows are not read here: they are the distinct targets of the `relations` table
(output/relations.py, read by `parsers.relations`), whatever the relation — one reader, one
resolution, so a citation and a repeal of the same document never disagree.

One row per cited thing, in order of first appearance: a 《title》 with its bracketed 文号 is one
citation with both; a bare 文号 or a bare 《title》 is one with the other NULL, and is left out when
the same number or title is also cited as a pair. ``cited_id`` is the target's id when stored.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

TABLE = "citations"

# The view: distinct (number, title) targets per document, numbered by first appearance.
_VIEW = f"""CREATE VIEW IF NOT EXISTS [{TABLE}] AS
WITH targets AS (
    SELECT document_id, target_doc_number AS cited_doc_number, target_title AS cited_title,
           min(position) AS first, max(target_id) AS cited_id
    FROM relations GROUP BY document_id, target_doc_number, target_title
)
SELECT document_id,
       row_number() OVER (PARTITION BY document_id ORDER BY first) AS position,
       cited_doc_number, cited_title, cited_id
FROM targets t
WHERE (cited_doc_number IS NOT NULL AND cited_title IS NOT NULL)
   OR (cited_title IS NULL AND NOT EXISTS (SELECT 1 FROM relations p WHERE p.document_id = t.document_id
        AND p.target_doc_number = t.cited_doc_number AND p.target_title IS NOT NULL))
   OR (cited_doc_number IS NULL AND NOT EXISTS (SELECT 1 FROM relations p WHERE p.document_id = t.document_id
        AND p.target_title = t.cited_title AND p.target_doc_number IS NOT NULL))"""


def install(db: sqlite_utils.Database) -> None:
    """Create the citations view if missing (the relations table must exist: migration 2)."""
    db.execute(_VIEW)


def rebuild(db: sqlite_utils.Database) -> int:
    """Rebuild the relations the view reads (output.relations.rebuild); returns the citations."""
    from output import relations

    install(db)
    relations.rebuild(db)
    return db.execute(f"SELECT count(*) FROM [{TABLE}]").fetchone()[0]


def _rows(db: sqlite_utils.Database, sql: str, params: list) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def cites(db: sqlite_utils.Database, document_id: str) -> list[dict[str, Any]]:
    """What a document cites, in order: number, title, and the cited document when stored."""
    return _rows(
        db,
        f"SELECT c.position, c.cited_doc_number, c.cited_title, c.cited_id, "
        f"d.title AS cited_document_title, d.publish_date AS cited_publish_date "
        f"FROM [{TABLE}] c LEFT JOIN documents d ON d.id = c.cited_id "
        "WHERE c.document_id = ? ORDER BY c.position",
        [document_id],
    )


def cited_by(
    db: sqlite_utils.Database, document_id: str | None = None, *, doc_number: str | None = None
) -> list[dict[str, Any]]:
    """Documents that cite a stored document (by id) or a 文号, newest first."""
    if (document_id is None) == (doc_number is None):
        raise ValueError("cited_by needs exactly one of document_id or doc_number")
    where, params = (
        ("c.cited_id = ?", [document_id])
        if document_id is not None
        else ("c.cited_doc_number = ?", [doc_number])
    )
    return _rows(
        db,
        f"SELECT DISTINCT c.document_id, d.title, d.doc_number, d.publish_date "
        f"FROM [{TABLE}] c JOIN documents d ON d.id = c.document_id WHERE {where} "
        "ORDER BY d.publish_date DESC, c.document_id",
        params,
    )
