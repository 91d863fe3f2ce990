"""Running a search: the query's tree (`output.search.syntax`) → the documents that match, ranked,
each with its best articles and highlighted snippets (`run`, `search`).

What a match is. A document matches when the query holds for it, a term being present when it
is a substring of the title, the body text or one attachment's text (the unit a researcher
cites). Under the document, its articles that hold a term of the query are listed, the best
first: those with more of the query's terms, then those with a term in their heading. Excluded
terms (``-煤电``) exclude the document, wherever in it they stand.

Plan. Each term is looked up once in the documents' full-text index (trigram for 3 characters
and more, the gram index of distinct 1- and 2-character substrings below: no positions to read,
so a term in every document costs a few milliseconds), giving the set of document rowids that
hold it; the tree is evaluated over those sets (AND: intersection, smallest first;
OR: union; NOT: difference), then the filters (one SQL pass over ``documents``) cut it. Only the
page of documents shown is read from the source tables. A term that could lie across the border
of two attachments in the index (``"\n一带"``: `index.may_span_attachments`) is looked up on its
own, its matches in the attachments column kept only where one attachment's text holds it (instr).

Ranking:
* a term in the title first, then a term in an article's heading (`TIERS`; a heading holding a
  term found in more than `RANK_ALL_MAX` documents does not count);
* then the sum of the terms' FTS5 ``bm25`` (the title weighing `TITLE_WEIGHT` times the text);
  a term found in more than `RANK_ALL_MAX` documents adds nothing: its inverse document
  frequency is low, and bm25 over that many rows costs more than it tells;
* then newest stored first.
"""

from __future__ import annotations

import heapq
import json
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterable

import sqlite_utils

from output.search import index
from output.search.results import ArticleHit, DocumentHit, Results, snippet
from output.search.syntax import And, Node, Not, Or, Term, all_terms, parse_query, positive_terms

# A term in more documents than this is not ranked by bm25 (see the module docstring).
RANK_ALL_MAX = 2000
# bm25 weight of a title match relative to a match in the body or an attachment.
TITLE_WEIGHT = 5.0
# Ranking tiers, best first: where a document holds one of the query's terms.
TIERS = ("title", "heading", "text")
# Articles shown under each document by default.
ARTICLES_SHOWN = 3
# validity values --in-force leaves out (documents.validity, see CONTRACT.md).
OUT_OF_FORCE = ("repealed", "expired")
# A date filter: a year, a month or a day, ISO.
_DATE_RE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


class FilterError(ValueError):
    """A filter cannot be applied; the message says why."""


@dataclass(frozen=True)
class Filters:
    """What the documents must also be. Strings compare exactly, as stored."""

    category: str | None = None  # the site's column: 通知
    year: int | str | None = None  # of the publish date
    issuer: str | None = None  # an issuing agency as signed: 国家能源局
    since: str | None = None  # publish date on or after (2024, 2024-05, 2024-05-06)
    until: str | None = None  # publish date on or before, same forms
    in_force: bool = False  # leave out documents whose validity is repealed or expired
    validity: str | None = None  # exactly this validity (the web page's facet)

    def active(self) -> bool:
        return any(v not in (None, False) for v in asdict(self).values())


# ---------------------------------------------------------------------------- plan


class _Lookup:
    """The rowids (and bm25) of the documents holding each term, each term looked up once."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.rows: dict[str, set[int]] = {}
        self.scores: dict[str, dict[int, float]] = {}
        self.counts: dict[str, int] = {}
        # short terms: the gram index, or the one-character index of a database indexed before it
        self.short_table = index.DOCS_GRAMS if index.table_exists(db, index.DOCS_GRAMS) else index.DOCS_CHARS

    def table(self, term: str) -> str:
        """The documents' index a term's presence is looked up in."""
        return self.short_table if len(term) < index.TRIGRAM_MIN else index.DOCS_TRIGRAM

    def term_match(self, table: str, term: str) -> str:
        if table == index.DOCS_GRAMS:
            return index.gram_expression(term)
        return index.chars_expression(term) if table == index.DOCS_CHARS else index.trigram_expression(term)

    def _fts(self, term: str) -> tuple[str, str]:
        short, expr = index.term_expression(term)
        return (index.DOCS_CHARS if short else index.DOCS_TRIGRAM), expr

    def exact(self, table: str, term: str) -> bool:
        """Whether a MATCH of `term` in `table` finds exactly the documents holding it: not so for
        a term that could lie across the border of two attachments (`index.may_span_attachments`)
        in an index that joins them (the gram index keeps them apart)."""
        return table == index.DOCS_GRAMS or not index.may_span_attachments(term)

    def documents(self, term: str) -> set[int]:
        if term not in self.rows:
            fts = self.table(term)  # short terms: presence only, no positions to read
            expr = self.term_match(fts, term)
            if self.exact(fts, term):
                self.rows[term] = self.expression(fts, expr)
            else:
                in_attachments = self.expression(fts, f"attachments : {expr}")
                self.rows[term] = self.expression(fts, f"{{title body}} : {expr}") | self.in_one_attachment(
                    term, in_attachments
                )
        return self.rows[term]

    def in_one_attachment(self, term: str, rowids: set[int]) -> set[int]:
        """The documents of `rowids` with one attachment whose own text holds `term` (instr)."""
        if not rowids or not index.table_exists(self.db, "attachments"):
            return set()
        sql = (
            "SELECT DISTINCT d.rowid FROM documents d JOIN attachments a ON a.document_id = d.id "
            "WHERE d.rowid IN (SELECT value FROM json_each(?)) AND instr(a.text, ?) > 0"
        )
        return {r for (r,) in self.db.execute(sql, [_ids_param(rowids), term])}

    def expression(self, table: str, expr: str) -> set[int]:
        return {r for (r,) in self.db.execute(f"SELECT rowid FROM [{table}] WHERE [{table}] MATCH ?", [expr])}

    def common(self, term: str) -> bool:
        """Whether the term is in too many documents to rank by (see RANK_ALL_MAX)."""
        if term in self.rows:
            return len(self.rows[term]) > RANK_ALL_MAX
        if term not in self.counts:
            fts = self.table(term)
            expr = self.term_match(fts, term)
            sql = f"SELECT count(*) FROM (SELECT 1 FROM [{fts}] WHERE [{fts}] MATCH ? LIMIT ?)"
            self.counts[term] = self.db.execute(sql, [expr, RANK_ALL_MAX + 1]).fetchone()[0]
        return self.counts[term] > RANK_ALL_MAX

    def in_titles(self, terms: list[str]) -> set[int]:
        """Document rowids with one of `terms` in their title: one MATCH per index."""
        out: set[int] = set()
        for short in (True, False):
            exprs = [index.term_expression(t)[1] for t in terms if (len(t) < index.TRIGRAM_MIN) == short]
            if exprs:
                fts = index.DOCS_CHARS if short else index.DOCS_TRIGRAM
                out |= self.expression(fts, f"title : ({' OR '.join(exprs)})")
        return out

    def bm25(self, term: str) -> dict[int, float]:
        if term not in self.scores:
            if self.common(term):
                self.scores[term] = {}
            else:
                fts, expr = self._fts(term)
                sql = f"SELECT rowid, bm25([{fts}], {TITLE_WEIGHT}, 1.0, 1.0) FROM [{fts}] WHERE [{fts}] MATCH ?"
                self.scores[term] = dict(self.db.execute(sql, [expr]).fetchall())
        return self.scores[term]

    def in_column(self, kind: str, column: str, term: str) -> set[int]:
        """Document rowids with `term` in `column` of their own row (kind "document") or of an article."""
        short, expr = index.term_expression(term)
        trigram, chars = index.FTS_BY_KIND[kind]
        fts = chars if short else trigram
        match = f"{column} : {expr}"
        if kind == "document":
            return {r for (r,) in self.db.execute(f"SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH ?", [match])}
        sql = (
            f"SELECT DISTINCT d.rowid FROM [{fts}] f JOIN articles a ON a.rowid = f.rowid "
            f"JOIN documents d ON d.id = a.document_id WHERE [{fts}] MATCH ?"
        )
        return {r for (r,) in self.db.execute(sql, [match])}


def _one_index(node: Node, lookup: _Lookup) -> str | None:
    """The document index every term of the subtree is looked up in, if it is one index and it
    matches each of them exactly (see `_Lookup.exact`)."""
    terms = all_terms(node)
    kinds = {lookup.table(t) for t in terms}
    if len(kinds) != 1:
        return None
    table = kinds.pop()
    return table if all(lookup.exact(table, t) for t in terms) else None


def _match_expression(node: Node, table: str, lookup: _Lookup) -> str:
    """The subtree as one FTS5 MATCH expression over `table` (FTS5 does the set algebra in C)."""
    if isinstance(node, Term):
        return lookup.term_match(table, node.text)
    if isinstance(node, Or):
        return "(" + " OR ".join(_match_expression(c, table, lookup) for c in node.children) + ")"
    wanted = [_match_expression(c, table, lookup) for c in node.children if not isinstance(c, Not)]
    unwanted = [_match_expression(c.child, table, lookup) for c in node.children if isinstance(c, Not)]
    expr = "(" + " AND ".join(wanted) + ")"
    return f"({expr} NOT ({' OR '.join(unwanted)}))" if unwanted else expr


def evaluate(node: Node, lookup: _Lookup) -> set[int]:
    """The rowids of the documents the tree holds for.

    A subtree whose terms all go to one index is one MATCH; the others combine Python sets.
    """
    if isinstance(node, Term):
        return lookup.documents(node.text)
    table = _one_index(node, lookup)
    if table is not None:
        return lookup.expression(table, _match_expression(node, table, lookup))
    if isinstance(node, Or):
        out: set[int] = set()
        for child in node.children:
            out |= evaluate(child, lookup)
        return out
    if isinstance(node, And):
        wanted = sorted((evaluate(c, lookup) for c in node.children if not isinstance(c, Not)), key=len)
        out = set(wanted[0]).intersection(*wanted[1:])
        for child in node.children:
            if isinstance(child, Not) and out:
                out -= evaluate(child.child, lookup)
        return out
    raise TypeError(f"a lone exclusion cannot be evaluated: {node!r}")  # the parser never builds one


def _columns(db: sqlite_utils.Database, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info([{table}])")}


def _filter_sql(db: sqlite_utils.Database, f: Filters) -> tuple[str, list]:
    where, params = [], []
    if f.category is not None:
        where.append("d.category = ?")
        params.append(f.category)
    if f.year is not None:
        where.append("substr(d.publish_date, 1, 4) = ?")
        params.append(str(f.year))
    if f.issuer is not None:
        where.append("EXISTS (SELECT 1 FROM issuers i WHERE i.document_id = d.id AND i.name = ?)")
        params.append(f.issuer)
    for name, value, op in (("since", f.since, ">="), ("until", f.until, "<=")):
        if value is None:
            continue
        if not _DATE_RE.fullmatch(str(value)):
            raise FilterError(f"--{name} {value}: write a date as 2024, 2024-05 or 2024-05-06")
        where.append(f"substr(d.publish_date, 1, {len(str(value))}) {op} ?")
        params.append(str(value))
    if f.in_force or f.validity is not None:
        if "validity" not in _columns(db, "documents"):
            raise FilterError(
                "this database has no validity column yet: --in-force needs a database built by a "
                "version that records validity (ndrc-policy reparse brings it up to date)"
            )
        if f.in_force:
            where.append(f"coalesce(d.validity, '') NOT IN ({', '.join('?' * len(OUT_OF_FORCE))})")
            params.extend(OUT_OF_FORCE)
        if f.validity is not None:
            where.append("d.validity = ?")
            params.append(f.validity)
    return " AND ".join(where), params


def _allowed(db: sqlite_utils.Database, f: Filters) -> set[int] | None:
    if not f.active():
        return None
    where, params = _filter_sql(db, f)
    return {r for (r,) in db.execute(f"SELECT d.rowid FROM documents d WHERE {where}", params)}


def _rank(
    matched: set[int], terms: list[str], lookup: _Lookup, wanted: int | None
) -> list[tuple[int, int, float | None]]:
    """(rowid, tier, bm25) of the best `wanted` matching documents (all when None), best first."""
    in_heading: set[int] = set()
    scores: dict[int, float] = {}
    in_title = lookup.in_titles(terms) & matched if terms else set()
    for term in terms:
        if not lookup.common(term):  # a heading holding a common term tells little, and costs
            in_heading |= lookup.in_column("article", "heading", term) & matched
        for rowid, score in lookup.bm25(term).items():
            if rowid in matched:
                scores[rowid] = scores.get(rowid, 0.0) + score
    in_heading -= in_title
    groups = (in_title, in_heading, matched - in_title - in_heading)
    out: list[tuple[int, int, float | None]] = []
    for tier, group in enumerate(groups):
        need = None if wanted is None else wanted - len(out)
        if need is not None and need <= 0:
            break
        if not scores:  # newest stored first: no key function to call
            best = sorted(group, reverse=True) if need is None or need >= len(group) else heapq.nlargest(need, group)
        else:
            key = lambda r: (scores.get(r, 0.0), -r)  # noqa: E731
            best = sorted(group, key=key) if need is None or need >= len(group) else heapq.nsmallest(need, group, key=key)
        out.extend((r, tier, scores.get(r)) for r in best)
    return out


# ---------------------------------------------------------------------------- run


def _ids_param(rowids: Iterable[int]) -> str:
    return json.dumps(sorted(rowids))


def _article_hits(rows: list[tuple], terms: list[str], shown: int | None) -> tuple[list[ArticleHit], int]:
    """The best `shown` articles holding a term (all when None), snippets made for those only; and how many hold one."""
    held_by = []
    for seq, level, label, heading, text in rows:
        heading, text = heading or "", text or ""
        held = [t for t in terms if t in heading or t in text]
        if held:
            in_heading = any(t in heading for t in held)
            held_by.append(((-len(held), not in_heading, seq), (seq, level, label, heading, text, held, in_heading)))
    held_by.sort(key=lambda x: x[0])
    best = held_by if shown is None else held_by[:shown]
    hits = []
    for _, (seq, level, label, heading, text, held, in_heading) in best:
        source = text if any(t in text for t in held) else heading
        hits.append(ArticleHit(seq, level, label, heading or None, "heading" if in_heading else "text",
                               snippet(source, held), len(held)))
    return hits, len(held_by)


def _document_hits(
    db: sqlite_utils.Database, page: list[tuple[int, int, float | None]], terms: list[str], articles: int | None
) -> list[DocumentHit]:
    if not page:
        return []
    with_validity = "validity" in _columns(db, "documents")
    validity = "d.validity" if with_validity else "NULL"
    ids = _ids_param(r for r, _, _ in page)
    docs = {
        row[0]: row[1:]
        for row in db.execute(
            "SELECT d.rowid, d.id, d.title, d.doc_number, d.publish_date, d.category, d.body_text, "
            f"{validity} FROM documents d WHERE d.rowid IN (SELECT value FROM json_each(?))",
            [ids],
        )
    }
    doc_ids = [docs[r][0] for r, _, _ in page if r in docs]
    arts: dict[str, list[tuple]] = {}
    if index.table_exists(db, "articles"):
        for row in db.execute(
            "SELECT document_id, seq, level, label, heading, text FROM articles "
            "WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, seq",
            [json.dumps(doc_ids)],
        ):
            arts.setdefault(row[0], []).append(row[1:])
    with_attachments = index.table_exists(db, "attachments")
    out = []
    for rowid, tier, rank in page:
        if rowid not in docs:  # gone since the index was read
            continue
        doc_id, title, number, published, category, body, valid = docs[rowid]
        title, body = title or "", body or ""
        texts = [("title", title), ("body", body)]
        if with_attachments:
            texts += [("attachments", t) for t in index.attachment_texts(db, doc_id)]
        holding = [(name, text) for name, text in texts if any(t in text for t in terms)]
        where, source = next(((n, t) for n, t in holding if n != "title"), ("title", title))
        shown, count = _article_hits(arts.get(doc_id, []), terms, articles)
        out.append(
            DocumentHit(
                doc_id, title or None, number, published, category, valid, where, snippet(source, terms),
                TIERS[tier], rank, count, tuple(shown),
            )
        )
    return out


def _facets(db: sqlite_utils.Database, matched: set[int]) -> dict[str, list[tuple[Any, int]]]:
    ids = _ids_param(matched)
    inside = "d.rowid IN (SELECT value FROM json_each(:ids))"
    queries = {
        "category": f"SELECT d.category, count(*) FROM documents d WHERE {inside} GROUP BY 1 ORDER BY 2 DESC, 1",
        "year": f"SELECT substr(d.publish_date, 1, 4), count(*) FROM documents d WHERE {inside} "
        "GROUP BY 1 ORDER BY 1 DESC",
        "issuer": f"SELECT i.name, count(DISTINCT d.id) FROM documents d JOIN issuers i ON i.document_id = d.id "
        f"WHERE {inside} GROUP BY 1 ORDER BY 2 DESC, 1",
    }
    if "validity" in _columns(db, "documents"):
        queries["validity"] = f"SELECT d.validity, count(*) FROM documents d WHERE {inside} GROUP BY 1 ORDER BY 2 DESC, 1"
    return {
        name: [(v, n) for v, n in db.execute(sql, {"ids": ids}) if v is not None]
        for name, sql in queries.items()
    }


def run(
    db: sqlite_utils.Database,
    query: str,
    *,
    limit: int | None = 20,
    offset: int = 0,
    articles: int | None = ARTICLES_SHOWN,
    filters: Filters = Filters(),
    facets: bool = False,
) -> Results:
    """The documents matching `query` (see `output.search.syntax`), best first.

    `limit=None` returns every match; `articles=None` lists every matching article of each.
    Raises `QueryError` / `FilterError` (one-line messages for the user) and RuntimeError when
    the database has no search index.
    """
    node = parse_query(query)
    if not index.table_exists(db, index.DOCS_TRIGRAM):
        raise RuntimeError("the database has no search index: run output.search.rebuild(db)")
    allowed = _allowed(db, filters)
    lookup = _Lookup(db)
    matched = evaluate(node, lookup)
    if allowed is not None:
        matched &= allowed
    terms = positive_terms(node)
    ranked = _rank(matched, terms, lookup, None if limit is None else offset + max(0, limit))
    page = ranked[offset:] if limit is None else ranked[offset : offset + max(0, limit)]
    return Results(
        query=query,
        total=len(matched),
        offset=offset,
        hits=tuple(_document_hits(db, page, terms, articles)),
        facets=_facets(db, matched) if facets else {},
        terms=tuple(terms),
    )


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    limit: int | None = 20,
    offset: int = 0,
    articles: int | None = ARTICLES_SHOWN,
    category: str | None = None,
    year: int | str | None = None,
    issuer: str | None = None,
    since: str | None = None,
    until: str | None = None,
    in_force: bool = False,
) -> list[DocumentHit]:
    """The documents matching `query`, best first, each with its best articles (see `run`)."""
    filters = Filters(category=category, year=year, issuer=issuer, since=since, until=until, in_force=in_force)
    return list(run(db, query, limit=limit, offset=offset, articles=articles, filters=filters).hits)
