"""The `relations` table: what each stored document says of others, with the target resolved.

What this module holds: the upkeep after each document write (`refresh_document`, called by
`output.db.Store.upsert_document` inside the document's transaction), the bulk rebuild
(`rebuild`), resolution of a target to a stored document (`resolve`), and the relation part of
the document JSON the dumps carry (`document_overlay`). The rows come from the document's
`relations` (read by `parsers.relations`); the `citations` view (output/citations.py) is derived
from them, so the text is read once.

Resolution (`target_id`), never guessed:
- a 文号 or order number with its year matches the stored document with that number; a number that
  matches nothing leaves the row unresolved (a title shared with another year's document does not
  stand in for it), and a provincial look-alike (京发改规…) matches no NDRC number;
- a yearless order number (第7号令: there are two 第7号) resolves only when one stored order has
  that serial, or one of those has the cited title;
- a 解读 page's `interprets` target left open that way: the one document listing the page among
  its 相关解读 links;
- a title alone: an exact match of its normal form (issuer dropped, 〈〉 as 《》, 关于印发《X》的通知
  for X); several exact matches leave it unresolved with a warning; else a unique loose match
  (punctuation and (试行) marks dropped) resolves it with a warning in `warning`.
A target stored later is resolved when it arrives: its write re-resolves the rows that name its
number or a key of its title. Then validity (output/validity.py) is recomputed for every document
whose incoming relations changed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from parsers.identifiers import ORDER_PREFIX
from parsers.model import Document, Relation
from parsers.relations import read_relations
from parsers.titles import loose_key, title_keys

TABLE = "relations"
KEYS_TABLE = "document_title_keys"
TARGET_KEYS_TABLE = "relation_target_keys"

# A yearless NDRC order number: 国家发展改革委令第7号 (cited as 第7号令 / 7号令).
YEARLESS_ORDER = re.compile(re.escape(ORDER_PREFIX) + r"第(\d+)号")
ORDER_PARTS = re.compile(re.escape(ORDER_PREFIX) + r"(\d{4})年第(\d+)号")

_COLUMNS = ("document_id", "position", "relation", "target_doc_number", "target_title", "target_id",
            "article_seq", "text", "resolved_by", "warning")


def refresh_document(db, doc: Document) -> set[str]:
    """Rewrite the relation rows of `doc`, re-resolve the rows that may name it, recompute the
    validity of every document concerned; returns the ids whose validity was recomputed."""
    from output import validity

    touched = {doc.id}
    touched |= _targets_of(db, doc.id)
    _write_keys(db, doc.id, doc.title)
    touched |= _write_rows(db, doc.id, doc.relations)
    touched |= _relink(db, doc)
    validity.refresh(db, touched)
    return touched


def _write_rows(db, document_id: str, relations: tuple[Relation, ...]) -> set[str]:
    """Replace the document's rows (and the title keys of its title-only targets); returns the
    targets resolved."""
    db.execute(f"DELETE FROM [{TABLE}] WHERE document_id = ?", [document_id])
    db.execute(f"DELETE FROM [{TARGET_KEYS_TABLE}] WHERE document_id = ?", [document_id])
    rows, keys, targets = [], [], set()
    for i, rel in enumerate(relations, 1):
        target, how, warning = resolve(db, document_id, rel.target_doc_number, rel.target_title, rel.relation)
        rows.append((document_id, i, rel.relation, rel.target_doc_number, rel.target_title, target,
                     rel.article_seq, rel.text, how, warning))
        if target:
            targets.add(target)
        if rel.target_title and not rel.target_doc_number:
            keys += [(document_id, i, k, "exact") for k in title_keys(rel.target_title)]
            loose = loose_key(rel.target_title)
            if loose:
                keys.append((document_id, i, loose, "loose"))
    db.conn.executemany(
        f"INSERT INTO [{TABLE}] ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", rows
    )
    db.conn.executemany(
        f"INSERT OR IGNORE INTO [{TARGET_KEYS_TABLE}] (document_id, position, key, kind) VALUES (?,?,?,?)", keys
    )
    return targets


def _targets_of(db, document_id: str) -> set[str]:
    return {t for (t,) in db.execute(
        f"SELECT DISTINCT target_id FROM [{TABLE}] WHERE document_id = ? AND target_id IS NOT NULL",
        [document_id])}


def _write_keys(db, document_id: str, title: str | None) -> None:
    db.execute(f"DELETE FROM [{KEYS_TABLE}] WHERE document_id = ?", [document_id])
    keys = [(document_id, k, "exact") for k in title_keys(title)]
    loose = loose_key(title)
    if loose:
        keys.append((document_id, loose, "loose"))
    db.conn.executemany(f"INSERT OR IGNORE INTO [{KEYS_TABLE}] (document_id, key, kind) VALUES (?,?,?)", keys)


def _relink(db, doc: Document) -> set[str]:
    """Re-resolve the rows of other documents that point at `doc` or may name it now: by id, by
    its number (and the yearless form of an order's), by a key of its title (indexed lookups)."""
    select = "SELECT r.document_id, r.position, r.target_doc_number, r.target_title, r.target_id, r.relation"
    found = db.execute(f"{select} FROM [{TABLE}] r WHERE r.target_id = ? AND r.document_id != ?",
                       [doc.id, doc.id]).fetchall()
    numbers = [doc.doc_number] if doc.doc_number else []
    order = ORDER_PARTS.fullmatch(doc.doc_number or "")
    if order:
        numbers.append(f"{ORDER_PREFIX}第{int(order.group(2))}号")
    for number in numbers:
        found += db.execute(f"{select} FROM [{TABLE}] r WHERE r.target_doc_number = ? AND r.document_id != ?",
                            [number, doc.id]).fetchall()
    keys = [(k, "exact") for k in title_keys(doc.title)] + [(k, "loose") for k in (loose_key(doc.title),) if k]
    for key, kind in keys:
        found += db.execute(
            f"{select} FROM [{TARGET_KEYS_TABLE}] k JOIN [{TABLE}] r"
            " ON r.document_id = k.document_id AND r.position = k.position"
            " WHERE k.key = ? AND k.kind = ? AND k.document_id != ?",
            [key, kind, doc.id]).fetchall()
    # the 解读 pages this document links to, whose interprets rows may wait for it
    found += db.execute(
        f"{select} FROM interpretations i JOIN [{TABLE}] r ON r.document_id = i.interpretation_id"
        " WHERE i.document_id = ? AND r.relation = 'interprets' AND r.target_id IS NULL", [doc.id]).fetchall()
    touched: set[str] = set()
    for citing, position, number, title, old, relation in dict.fromkeys(found):
        target, how, warning = resolve(db, citing, number, title, relation)
        db.execute(
            f"UPDATE [{TABLE}] SET target_id = ?, resolved_by = ?, warning = ?"
            " WHERE document_id = ? AND position = ?",
            [target, how, warning, citing, position],
        )
        touched.update(t for t in (target, old) if t)
    return touched


def resolve(
    db, document_id: str, doc_number: str | None, title: str | None, relation: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """(target id, how it was matched, warning) for one target; (None, None, warning?) if none.

    A 解读 page's `interprets` target that its number or title leaves open is the one stored
    document listing the page among its 相关解读 links (`interpretations.interpretation_id`)."""
    found = _resolve(db, document_id, doc_number, title)
    if found[0] is None and relation == "interprets":
        linked = [i for (i,) in db.execute(
            "SELECT DISTINCT document_id FROM interpretations WHERE interpretation_id = ? AND document_id != ?",
            [document_id, document_id])]
        if len(linked) == 1:
            return linked[0], "interpretation_link", None
    return found


def _resolve(db, document_id: str, doc_number: str | None, title: str | None) -> tuple[str | None, str | None, str | None]:
    if doc_number:
        yearless = YEARLESS_ORDER.fullmatch(doc_number)
        if yearless:
            ids = [i for (i,) in db.execute(
                "SELECT id FROM documents WHERE id != ? AND (doc_number = ? OR"
                " (doc_number_prefix = ? AND doc_number_serial = ?)) ORDER BY id",
                [document_id, doc_number, ORDER_PREFIX, int(yearless.group(1))])]
            if len(ids) == 1:
                return ids[0], "doc_number", None
            if not ids:
                return None, None, None
            by_title = _title_matches(db, document_id, title, "exact", among=ids) if title else []
            if len(by_title) == 1:
                return by_title[0], "doc_number_and_title", None
            return None, None, f"{len(ids)} stored orders are numbered {doc_number}: not resolved without a year"
        row = db.execute(
            "SELECT id FROM documents WHERE doc_number = ? AND id != ? ORDER BY publish_date DESC, id LIMIT 1",
            [doc_number, document_id],
        ).fetchone()
        return (row[0], "doc_number", None) if row else (None, None, None)
    if not title:
        return None, None, None
    exact = _title_matches(db, document_id, title, "exact")
    if len(exact) == 1:
        return exact[0], "title", None
    if len(exact) > 1:
        return None, None, f"{len(exact)} stored documents are titled {title}: not resolved"
    loose = _title_matches(db, document_id, title, "loose")
    if len(loose) == 1:
        return loose[0], "fuzzy_title", f"matched by title loosely (punctuation and 试行 marks aside): {title}"
    return None, None, None


def _title_matches(db, document_id: str, title: str, kind: str, among: list[str] | None = None) -> list[str]:
    """Ids of stored documents one of whose keys of `kind` equals the cited title's first key
    that matches anything (the whole normalised title first, then shorter keys)."""
    keys = title_keys(title) if kind == "exact" else tuple(k for k in (loose_key(title),) if k)
    for key in keys:
        ids = [i for (i,) in db.execute(
            f"SELECT DISTINCT document_id FROM [{KEYS_TABLE}] WHERE key = ? AND kind = ? AND document_id != ?"
            " ORDER BY document_id", [key, kind, document_id])]
        if among is not None:
            ids = [i for i in ids if i in among]
        if ids:
            return ids
    return []


def rebuild(db) -> int:
    """Recompute every relation row from the stored documents (body, articles, attachment
    texts), then every validity; returns the number of rows. For databases whose documents were
    stored before relations existed."""
    from output import validity

    for table in (TABLE, KEYS_TABLE, TARGET_KEYS_TABLE):
        db.execute(f"DELETE FROM [{table}]")
    docs = db.execute(
        "SELECT id, title, doc_number, doc_number_year, category, body_text FROM documents ORDER BY rowid"
    ).fetchall()
    for doc_id, title, _number, _year, _category, _body in docs:
        _write_keys(db, doc_id, title)
    total = 0
    for doc_id, title, number, year, category, body in docs:
        relations = _read_stored(db, doc_id, title, number, year, category, body)
        _write_rows(db, doc_id, relations)
        total += len(relations)
    validity.refresh(db, [d[0] for d in docs])
    return total


def _read_stored(db, doc_id, title, number, year, category, body) -> tuple[Relation, ...]:
    from parsers.model import Article

    articles = [
        Article(seq, 1, "", 0, heading, text or "", None, source)
        for seq, heading, text, source in db.execute(
            "SELECT seq, heading, text, source FROM articles WHERE document_id = ? ORDER BY seq", [doc_id])
    ]
    attachments = [t for (t,) in db.execute(
        "SELECT text FROM attachments WHERE document_id = ? ORDER BY position", [doc_id])]
    return read_relations(body, articles, attachments, own_doc_number=number, own_title=title,
                          category=category, year=year)


def relations_of(db, document_id: str) -> list[dict[str, Any]]:
    """The document's relations as the document JSON writes them, target ids filled."""
    return [
        {"relation": r, "target_doc_number": n, "target_title": t, "target_id": i, "article_seq": s, "text": x}
        for r, n, t, i, s, x in db.execute(
            f"SELECT relation, target_doc_number, target_title, target_id, article_seq, text FROM [{TABLE}]"
            " WHERE document_id = ? ORDER BY position", [document_id])
    ]


def document_overlay(db, document_id: str, as_of: str | None = None) -> dict[str, Any]:
    """The keys of the document JSON the archive fills: relations (target ids), validity and
    its basis (as stored, or computed as of `as_of`)."""
    from output import validity

    out: dict[str, Any] = {"relations": relations_of(db, document_id)}
    if as_of is None:
        row = db.execute("SELECT validity, validity_basis FROM documents WHERE id = ?", [document_id]).fetchone()
        out["validity"] = row[0] if row else None
        out["validity_basis"] = json.loads(row[1]) if row and row[1] else []
    else:
        state, basis = validity.of_document(db, document_id, as_of)
        out["validity"], out["validity_basis"] = state, json.loads(validity.basis_json(basis))
    return out
