"""The reference answer search must equal: a substring scan with ``instr`` over the source tables.

No full-text index, no Python set algebra: the query tree becomes one SQL WHERE clause over
``documents`` (a term is present when ``instr`` finds it in the title, the body text or one
attachment's text), and the listed articles are those whose heading or text holds a term the
query shows (`output.search.syntax.positive_terms`). Used by tests/output/test_search*.py and by
bench/search_bench.py as the baseline to beat.
"""

from __future__ import annotations

from output.search.syntax import And, Node, Not, Or, Term, parse_query, positive_terms


def _has_table(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None


def _where(node: Node, params: list, attachments: bool) -> str:
    if isinstance(node, Term):
        params.extend([node.text] * (3 if attachments else 2))
        attachment = (
            " OR EXISTS (SELECT 1 FROM attachments t WHERE t.document_id = d.id AND instr(t.text, ?) > 0)"
            if attachments
            else ""
        )
        return f"(instr(d.title, ?) > 0 OR instr(d.body_text, ?) > 0{attachment})"
    if isinstance(node, Not):
        return f"NOT {_where(node.child, params, attachments)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(_where(c, params, attachments) for c in node.children) + ")"


def scan(db, query: str | Node) -> set[str]:
    """Ids of the documents the query holds for, by instr over every row."""
    node = parse_query(query) if isinstance(query, str) else query
    params: list = []
    where = _where(node, params, _has_table(db, "attachments"))
    return {d for (d,) in db.execute(f"SELECT d.id FROM documents d WHERE {where}", params)}


def scan_articles(db, query: str | Node, documents: set[str] | None = None) -> set[tuple[str, int]]:
    """(document_id, seq) of the articles of matching documents that hold a shown term."""
    node = parse_query(query) if isinstance(query, str) else query
    docs = scan(db, node) if documents is None else documents
    terms = positive_terms(node)
    out = set()
    for d, seq, heading, text in db.execute("SELECT document_id, seq, heading, text FROM articles"):
        if d in docs and any(t in (heading or "") or t in (text or "") for t in terms):
            out.add((d, seq))
    return out


def render(node: Node) -> str:
    """A tree written in the query language (quoting what the parser would read otherwise)."""
    from output.search.syntax import DOC_NUMBER_RE, OPERATORS, SEPARATORS

    if isinstance(node, Term):
        t = node.text
        plain = (
            t
            and t not in OPERATORS
            and not t.startswith("-")
            and not any(c in SEPARATORS or c in '"()' for c in t)
            and not DOC_NUMBER_RE.fullmatch(t)
        )
        return t if plain else '"' + t.replace('"', '""') + '"'
    if isinstance(node, Not):
        inner = render(node.child)
        return "-" + (inner if isinstance(node.child, Term) else f"({inner})")
    if isinstance(node, And):
        return " ".join(f"({render(c)})" if isinstance(c, Or) else render(c) for c in node.children)
    return " OR ".join(render(c) for c in node.children)
