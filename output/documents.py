"""Document writes: one parsed `Document` into `documents` and its child tables, its versions,
withdrawals and parse failures, and the readers of those rows.

A document's rows are dict rows keyed by the columns of `output.schema.TABLES_V1`. Every write
here runs inside the caller's transaction (`output.db.Store` opens it); `upsert_document` also
refreshes the document's relations (output/relations.py) when asked to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import orjson
import sqlite_utils

from output import tables as document_tables
from output.pages import stored_file
from output.schema import insert_rows
from parsers.canonical import origin, rebase
from parsers.model import Article, Document

DOCUMENT_STATUSES = ("active", "withdrawn")

# An article row is the document id and these fields of parsers.model.Article, under their names.
ARTICLE_FIELDS = tuple(f.name for f in dataclasses.fields(Article))

# The outcomes of upsert_document.
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


def document_json(doc: Document) -> str:
    """The canonical document JSON: compact, keys sorted, UTF-8 without escapes.

    Stored in document_versions and written as-is by the export, so an unchanged document gives
    byte-identical output.
    """
    data = doc.to_dict()
    try:
        # byte for byte what the json call below writes (compact, sorted, UTF-8 unescaped), and
        # the largest cost of a write with json: a document carries its attachments' whole text
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, an integer past 64 bits
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _iso_day(date: str | dt.date) -> str:
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    try:
        dt.date.fromisoformat(day[:10])
    except ValueError:
        raise ValueError(f"withdrawn date must be an ISO date, not {date!r}") from None
    return day


def upsert_document(
    db: sqlite_utils.Database, doc: Document, *, at: str, page_origin: str | None = None,
    relations: bool = True, payload: str | None = None,
) -> str:
    """Store one parsed document fetched `at`; returns "new", "updated" or "unchanged".

    `page_origin`: the `scheme://host[:port]` its page was fetched from when that is not the
    document's own (canonical) address: its attachments' raw files are found in `pages` there.
    `relations`: refresh its relations and the validity they touch (output/relations.py).
    `payload`: `document_json(doc)`, when the caller has made it already (a parsing process).

    A content (content_sha256) never seen for this document adds a `document_versions` row,
    so every earlier content stays. The same content parsed differently (a newer parser)
    rewrites the rows and the current version's JSON without a new version. The same
    document again changes nothing but `last_seen`. A withdrawn document stays withdrawn.
    """
    if not doc.id:
        raise ValueError(f"document has no id (url {doc.url!r}); cannot store it")
    if payload is None:
        payload = document_json(doc)
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
    _write_document(db, doc, version=version, at=at, first_seen=first_seen, page_origin=page_origin)
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
    if relations:
        from output import relations as document_relations

        # relations (and the citations view over them), then validity of what they touch
        document_relations.refresh_document(db, doc)
    return outcome


def _write_document(
    db: sqlite_utils.Database, doc: Document, *, version: int, at: str, first_seen: str | None,
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
    # dict rows keyed by the schema's column names (output.schema.TABLES_V1), which are written nowhere else
    insert_rows(db, "issuers", [
        {"document_id": doc.id, "position": i, "name": name} for i, name in enumerate(doc.issuers, 1)
    ])
    insert_rows(db, "articles", [
        {"document_id": doc.id, **{f: getattr(a, f) for f in ARTICLE_FIELDS}} for a in doc.articles
    ])
    own = origin(doc.url) if doc.url and page_origin else None
    rows = []
    for i, att in enumerate(doc.attachments, 1):
        fetched = rebase(att.url, own, page_origin) if own else att.url
        stored = stored_file(db, fetched) if fetched else None
        rows.append({
            "document_id": doc.id, "position": i, "title": att.title, "url": att.url,
            "file_type": att.file_type, "text": att.text,
            "sha256": stored[0] if stored else None, "size": stored[1] if stored else None,
        })
    insert_rows(db, "attachments", rows)
    rows = []
    for i, link in enumerate(doc.interpretations, 1):
        found = db.execute("SELECT id FROM documents WHERE url = ? LIMIT 1", (link.url,)).fetchone() if link.url else None
        rows.append({"document_id": doc.id, "position": i, "title": link.title, "url": link.url,
                     "interpretation_id": found[0] if found else None})
    insert_rows(db, "interpretations", rows)


def withdraw(db: sqlite_utils.Database, key: str, value: str, date: str | dt.date) -> bool:
    """Mark the document whose `key` ("url" or "id") is `value` withdrawn on `date`.

    True only when this call withdrew it: False when no document matches or it was withdrawn
    already (the first date is kept), so a run counts each withdrawal once. Never deleted.
    """
    if key not in ("url", "id"):
        raise ValueError(f"a document is withdrawn by url or id, not {key!r}")
    day = _iso_day(date)
    cursor = db.execute(
        "UPDATE documents SET status = 'withdrawn', withdrawn_date = ?"
        f" WHERE {key} = ? AND status != 'withdrawn'",
        (day, value),
    )
    return cursor.rowcount > 0


def record_parse_failure(db: sqlite_utils.Database, url: str, sha256: str | None, reason: str, at: str) -> None:
    """Record that the stored content `sha256` of `url` held no document, and why.

    One row per (url, content): failing again re-dates it and keeps the newest reason.
    """
    db.execute(
        "INSERT INTO parse_failures (url, page_sha256, reason, at) VALUES (?,?,?,?)"
        " ON CONFLICT (url, page_sha256) DO UPDATE SET reason = excluded.reason, at = excluded.at",
        (url, sha256 or "", str(reason), at),
    )


def known_documents(db: sqlite_utils.Database) -> dict[str, tuple[str, str | None, str]]:
    """url -> (id, publish_date, status) of every stored document, for an incremental crawl."""
    return {
        url: (doc_id, publish_date, status)
        for url, doc_id, publish_date, status in db.execute(
            "SELECT url, id, publish_date, status FROM documents WHERE url IS NOT NULL"
        )
    }


def document_dict(db: sqlite_utils.Database, doc_id: str, version: int | None = None) -> dict[str, Any] | None:
    """The stored document JSON (current version, or `version`) as a dict, or None."""
    if version is None:
        row = db.execute(
            "SELECT v.document_json FROM documents d JOIN document_versions v"
            " ON v.document_id = d.id AND v.version = d.version WHERE d.id = ?",
            (doc_id,),
        ).fetchone()
    else:
        row = db.execute(
            "SELECT document_json FROM document_versions WHERE document_id = ? AND version = ?",
            (doc_id, version),
        ).fetchone()
    return None if row is None else json.loads(row[0])
