"""What the web UI's own pages show, read from one SQLite connection: no Datasette import here.

`document_page(conn, id)` is the context of ``/doc/{id}``; `search_page(conn, args)` that of
``/search?q=…``. Tables and columns another version of the store may lack (``validity``,
``relations``, ``citations``) are read only when present, so the pages work on every database
the project has written.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Mapping
from urllib.parse import urlencode

import sqlite_utils

from output import search
from output.diff import diff_versions

# Documents per page of search results.
PAGE_SIZE = 20
# Facet values shown per facet (the rest are reachable by typing the filter).
FACET_VALUES = 12
# The search filters the page takes from its query string, in the order they are shown.
FILTER_ARGS = ("category", "year", "issuer", "validity")
# How the validity values read on a badge (CONTRACT.md names the values).
VALIDITY_LABELS = {
    "not_yet_effective": "尚未生效 not yet effective",
    "in_force": "现行有效 in force",
    "amended": "已修改 amended",
    "partially_repealed": "部分失效 partially repealed",
    "repealed": "已废止 repealed",
    "expired": "已失效 expired",
}
RELATION_LABELS = {
    "repeals": "废止 repeals", "amends": "修改 amends", "replaces": "替代 replaces",
    "implements": "贯彻 implements", "interprets": "解读 interprets", "cites": "引用 cites",
}


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def _rows(conn: sqlite3.Connection, sql: str, params: list) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _article_tree(rows: list[dict]) -> list[dict]:
    """Articles in reading order with the depth they are shown at (1 for the outermost)."""
    out = []
    for a in rows:
        level = a["level"] if isinstance(a["level"], int) and a["level"] > 0 else 1
        out.append({**a, "depth": min(level, 6)})
    return out


def document_page(conn: sqlite3.Connection, document_id: str) -> dict[str, Any] | None:
    """Everything ``/doc/{id}`` shows, or None when there is no such document."""
    tables = _tables(conn)
    docs = _rows(conn, "SELECT * FROM documents WHERE id = ?", [document_id])
    if not docs:
        return None
    doc = docs[0]
    ctx: dict[str, Any] = {"doc": doc}
    ctx["issuers"] = [
        r["name"] for r in _rows(conn, "SELECT name FROM issuers WHERE document_id = ? ORDER BY position", [document_id])
    ]
    ctx["articles"] = _article_tree(
        _rows(conn, "SELECT seq, level, label, heading, text, parent, source FROM articles "
              "WHERE document_id = ? ORDER BY seq", [document_id])
    )
    ctx["attachments"] = _rows(
        conn, "SELECT position, title, url, file_type, text FROM attachments WHERE document_id = ? ORDER BY position",
        [document_id],
    ) if "attachments" in tables else []
    ctx["tables"] = [
        {"seq": t["seq"], "source": t["source"], "rows": json.loads(t["rows"])}
        for t in _rows(conn, "SELECT seq, source, rows FROM document_tables WHERE document_id = ? ORDER BY seq",
                       [document_id])
    ] if "document_tables" in tables else []
    ctx["interpretations"] = _rows(
        conn, "SELECT i.title, i.url, i.interpretation_id, d.id AS stored FROM interpretations i "
        "LEFT JOIN documents d ON d.id = i.interpretation_id WHERE i.document_id = ? ORDER BY i.position",
        [document_id],
    ) if "interpretations" in tables else []
    ctx["interpreted"] = _rows(
        conn, "SELECT DISTINCT d.id, d.title, d.doc_number FROM interpretations i JOIN documents d "
        "ON d.id = i.document_id WHERE i.interpretation_id = ? ORDER BY d.publish_date DESC", [document_id],
    ) if "interpretations" in tables else []
    ctx["cites"], ctx["cited_by"] = [], []
    if "citations" in tables:
        ctx["cites"] = _rows(
            conn, "SELECT c.cited_doc_number, c.cited_title, c.cited_id, d.title AS cited_doc_title "
            "FROM citations c LEFT JOIN documents d ON d.id = c.cited_id WHERE c.document_id = ? ORDER BY c.position",
            [document_id],
        )
        ctx["cited_by"] = _rows(
            conn, "SELECT DISTINCT d.id, d.title, d.doc_number, d.publish_date FROM citations c "
            "JOIN documents d ON d.id = c.document_id WHERE c.cited_id = ? AND c.document_id != ? "
            "ORDER BY d.publish_date DESC", [document_id, document_id],
        )
    ctx["relations"], ctx["related_by"] = [], []
    if "relations" in tables:
        ctx["relations"] = [
            {**r, "label": RELATION_LABELS.get(r["relation"], r["relation"])}
            for r in _rows(conn, "SELECT * FROM relations WHERE document_id = ?", [document_id])
        ]
        ctx["related_by"] = [
            {**r, "label": RELATION_LABELS.get(r["relation"], r["relation"])}
            for r in _rows(
                conn, "SELECT r.relation, r.document_id, d.title, d.doc_number FROM relations r "
                "JOIN documents d ON d.id = r.document_id WHERE r.target_id = ?", [document_id],
            )
        ]
    ctx["validity"] = doc.get("validity")
    ctx["validity_label"] = VALIDITY_LABELS.get(doc.get("validity") or "", doc.get("validity"))
    basis = doc.get("validity_basis")
    try:
        ctx["validity_basis"] = json.loads(basis) if isinstance(basis, str) and basis else (basis or [])
    except ValueError:
        ctx["validity_basis"] = [{"text": basis}]
    ctx["versions"] = _rows(
        conn, "SELECT version, content_sha256, fetched_at FROM document_versions WHERE document_id = ? "
        "ORDER BY version DESC", [document_id],
    ) if "document_versions" in tables else []
    return ctx


# Document keys a version's change list compares, in the order shown.
COMPARED_KEYS = ("title", "doc_number", "publish_date", "written_date", "effective_date", "issuers", "source",
                 "addressees", "preamble")


def _article_line(a: dict) -> str:
    return f"{a.get('label') or ''}{a.get('heading') or ''} {a.get('text') or ''}".strip()


def version_changes(conn: sqlite3.Connection, document_id: str, version: int) -> dict[str, Any] | None:
    """What changed from version - 1 to `version` of a document: fields, then articles."""
    rows = dict(conn.execute(
        "SELECT version, document_json FROM document_versions WHERE document_id = ? AND version IN (?, ?)",
        [document_id, version - 1, version],
    ).fetchall())
    if version not in rows:
        return None
    new = json.loads(rows[version])
    old = json.loads(rows[version - 1]) if version - 1 in rows else None
    ctx: dict[str, Any] = {"document_id": document_id, "version": version, "title": new.get("title"),
                           "first": old is None, "fields": [], "articles": []}
    if old is None:
        return ctx
    ctx["fields"] = [(k, old.get(k), new.get(k)) for k in COMPARED_KEYS if old.get(k) != new.get(k)]
    # the comparison `ndrc-policy diff` prints (output/diff.py); the preamble is a field here
    before = {a["seq"]: _article_line(a) for a in old.get("articles") or []}
    after = {a["seq"]: _article_line(a) for a in new.get("articles") or []}
    ops = {"added": "insert", "removed": "delete", "changed": "replace", "moved": "moved"}
    for unit in diff_versions(old, new).units:
        if unit.old_seq is None and unit.new_seq is None:
            continue
        ctx["articles"].append({
            "op": ops[unit.change], "label": unit.label, "edits": unit.edits,
            "old": [before[unit.old_seq]] if unit.old_seq in before else [],
            "new": [after[unit.new_seq]] if unit.new_seq in after else [],
        })
    if not ctx["articles"] and old.get("body_text") != new.get("body_text"):
        ctx["articles"].append({"op": "replace", "old": [old.get("body_text") or ""], "new": [new.get("body_text") or ""]})
    return ctx


def _link(args: Mapping[str, str], **change: str | None) -> str:
    """The search page's address for `args` with `change` applied (None drops a key; paging resets)."""
    merged = {k: v for k, v in args.items() if v not in (None, "") and k != "page"}
    for k, v in change.items():
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    return "/search" + ("?" + urlencode(merged) if merged else "")


def search_page(conn: sqlite3.Connection, args: Mapping[str, str]) -> dict[str, Any]:
    """Everything ``/search`` shows for its query string: results, facets, paging, or the error."""
    q = (args.get("q") or "").strip()
    wanted = {k: (args.get(k) or None) for k in FILTER_ARGS}
    in_force = args.get("in_force") in ("1", "on", "true")
    try:
        page = max(1, int(args.get("page") or 1))
    except ValueError:
        page = 1
    ctx: dict[str, Any] = {"q": q, "filters": wanted, "in_force": in_force, "page": page, "error": None,
                           "results": None, "facets": [], "selected": [], "validity_labels": VALIDITY_LABELS,
                           "has_validity": "validity" in _columns(conn, "documents")}
    kept = {"q": q, **{k: v for k, v in wanted.items() if v}, **({"in_force": "1"} if in_force else {})}
    ctx["selected"] = [(k, v, _link(kept, **{k: None})) for k, v in wanted.items() if v]
    if not q:
        return ctx
    filters = search.Filters(category=wanted["category"], year=wanted["year"], issuer=wanted["issuer"],
                             validity=wanted["validity"], in_force=in_force)
    try:
        results = search.run(sqlite_utils.Database(conn), q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                             filters=filters, facets=True)
    except (search.QueryError, search.FilterError) as err:
        ctx["error"] = str(err)
        return ctx
    ctx["results"] = results
    ctx["facets"] = [
        (name, [(value, count, _link(kept, **{name: str(value)}), str(value) == wanted[name])
                for value, count in values[:FACET_VALUES]])
        for name, values in results.facets.items()
        if values
    ]
    pages = max(1, -(-results.total // PAGE_SIZE))
    ctx["pages"] = pages
    ctx["prev"] = _link(kept, page=str(page - 1)) if page > 1 else None
    ctx["next"] = _link(kept, page=str(page + 1)) if page < pages else None
    return ctx
