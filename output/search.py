"""Full-text search for Chinese terms of any length over documents and their articles.

What this module holds: the DDL of the full-text tables (`install`, `installed`), their upkeep
(`index_documents` for the documents a transaction wrote, `rebuild` for all), the query encoder shared with the
Datasette canned query (`chars_expression`, `trigram_expression`, `CHARS_MATCH_SQL`) and
`search(db, query, ...) -> list[Hit]`.

Design (measured with ``bench/search_bench.py`` on 10,000 generated documents, ~20 M characters):

* Matching is exact substring matching, the same as ``instr(text, query) > 0`` on the source
  columns: documents (``title``, ``body_text``, attachment texts) and articles (``heading``,
  ``text``). Only leading and trailing whitespace of the query is dropped (`QUERY_TRIM`).
* Queries of 3 characters and more go to FTS5 ``trigram`` indexes (``case_sensitive 1``, so a
  phrase query is exactly a substring test). They are the fastest index for long terms
  (6 characters: ~1 ms against ~35 ms for a phrase of 6 single-character tokens).
* The trigram tokenizer cannot match anything under 3 characters, and on SQLite 3.40 (the
  system version) a LIKE over a trigram table silently returns no rows for short patterns. So
  1- and 2-character queries go to a second pair of FTS5 indexes whose content is written one
  character per token (`encode_chars`): a CJK ideograph, an ASCII digit or lower-case letter
  stands for itself, every other character (punctuation, whitespace, upper case, full-width
  forms, rare ideographs) becomes the token ``x`` + its hex code point, so the default
  ``unicode61`` tokenizer neither drops nor folds anything and a query is a phrase of the same
  tokens. A newer SQLite as a dependency (pysqlite3 / apsw) was rejected: Datasette and every
  researcher's own ``sqlite3`` would still read the file with the system library.
* Ranking: when a query matches at most `RANK_ALL_MAX` rows, FTS5 ``bm25`` orders all of them
  (title and heading weigh `TITLE_WEIGHT` times the text). A term found in more rows (a common
  single character) is not ranked, since bm25 over ~100,000 rows costs ~90 ms and says
  little; its hits come newest-stored first, which FTS5 streams in rowid order and stops at the
  limit.
* Results are at article level: every matching article, and a matching document only when none
  of its articles matches (the term is in the title, the preamble, an attachment, or spans two
  articles). Every hit is checked with ``instr`` on its source row before it is returned.

Measured (bench/search_bench.py, 10,000 documents, 100,000 articles, 27 M body characters,
30 random corpus substrings per length; median / p95): search 2.7 / 6.5 ms (1 char), 5.6 / 15 ms
(2), 2.3 / 9.4 ms (3), 10 / 45 ms (6) against an instr scan of 210-310 / 340-420 ms: ratios
0.01-0.03 at the median, at most 0.11 at p95. The indexes cost disk: about 4x the indexed text.

FTS rowids are the rowids of the source rows (``documents``, ``articles``), so Datasette's
table search box uses the trigram tables directly; ``search_rows`` remembers which FTS rows
belong to which document so `index_documents` can remove them after the store has rewritten
the source rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator

import sqlite_utils

# Full-text tables. Names are public: Datasette's metadata and the README's examples use them.
DOCS_TRIGRAM = "search_documents_trigram"
ARTICLES_TRIGRAM = "search_articles_trigram"
DOCS_CHARS = "search_documents_chars"
ARTICLES_CHARS = "search_articles_chars"
ROWS_TABLE = "search_rows"

# Shortest query the trigram index can answer; shorter ones use the one-character index.
TRIGRAM_MIN = 3
# Above this many matching rows per table bm25 ranking costs more than it tells (see docstring).
RANK_ALL_MAX = 2000
# bm25 weight of a title / heading match relative to a match in the text.
TITLE_WEIGHT = 5.0
# Characters stripped from both ends of a query: a pasted term often carries them.
QUERY_TRIM = " \t\r\n\f\v\u3000\xa0"
# Joins the texts of several attachments in one FTS column. A control character no parsed text
# holds, so a phrase cannot match across two attachments.
ATTACHMENT_SEPARATOR = "\n\x1f\n"
# Characters shown on each side of the match in a snippet, and the marks around the match.
SNIPPET_CONTEXT = 30
SNIPPET_MARK = ("<mark>", "</mark>")
# Code point ranges written as themselves in the one-character index: CJK Unified Ideographs
# and Extension A. unicode61 keeps them as token characters and has no case or diacritic to
# fold. Every other non-ASCII character is hex-encoded so nothing is dropped or folded.
CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))

_DDL = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS [{DOCS_TRIGRAM}] USING fts5(
    title, body, attachments, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE IF NOT EXISTS [{ARTICLES_TRIGRAM}] USING fts5(
    heading, text, tokenize = 'trigram case_sensitive 1');
CREATE VIRTUAL TABLE IF NOT EXISTS [{DOCS_CHARS}] USING fts5(
    title, body, attachments, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS [{ARTICLES_CHARS}] USING fts5(
    heading, text, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS [{ROWS_TABLE}] (
    kind TEXT NOT NULL,          -- 'document' or 'article'
    fts_rowid INTEGER NOT NULL,  -- rowid in the FTS tables of that kind (= the source rowid)
    document_id TEXT NOT NULL,
    PRIMARY KEY (kind, fts_rowid)
);
CREATE INDEX IF NOT EXISTS [{ROWS_TABLE}_document] ON [{ROWS_TABLE}] (document_id);
"""

_FTS_BY_KIND = {"document": (DOCS_TRIGRAM, DOCS_CHARS), "article": (ARTICLES_TRIGRAM, ARTICLES_CHARS)}


@dataclass(frozen=True)
class Hit:
    """One search result: an article, or a document none of whose articles matched."""

    document_id: str
    title: str | None
    doc_number: str | None
    publish_date: str | None
    category: str | None
    seq: int | None  # the article's seq; None for a document hit
    label: str | None  # the article's label as printed ("（三）", "第五条"); None for a document
    heading: str | None
    field: str  # where the term is: "title", "body", "attachments", "heading" or "text"
    snippet: str  # text around the first occurrence, the term wrapped in SNIPPET_MARK
    rank: float | None  # bm25 (lower is better); None when the term was too common to rank

    @property
    def kind(self) -> str:
        return "document" if self.seq is None else "article"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = self.kind
        return out


# ---------------------------------------------------------------------------- encoding


def _is_cjk(code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in CJK_RANGES)


def _char_token(ch: str) -> str:
    if ("0" <= ch <= "9") or ("a" <= ch <= "z") or _is_cjk(ord(ch)):
        return ch
    return f"x{ord(ch):x}"


class _TokenTable(dict):
    """code point → its token and a space, computed once per character (for str.translate)."""

    def __missing__(self, code: int) -> str:
        token = self[code] = _char_token(chr(code)) + " "
        return token


# Shared by every call: indexing runs encode_chars over every document's whole text, and a
# per-character Python loop there made storing a document 13x slower than without search.
_TOKENS = _TokenTable()


def encode_chars(text: str | None) -> str:
    """Text as the one-character index stores it: one token per character, space-separated."""
    return (text or "").translate(_TOKENS)[:-1]


def chars_expression(query: str) -> str:
    """FTS5 MATCH expression for the one-character index: the query's tokens as one phrase.

    Tokens are alphanumeric, so the phrase needs no escaping whatever the user typed.
    """
    return '"' + encode_chars(query) + '"'


def trigram_expression(query: str) -> str:
    """FTS5 MATCH expression for a trigram index: the query as one quoted phrase."""
    return '"' + query.replace('"', '""') + '"'


def _sql_char_token(expr: str) -> str:
    """SQL for `_char_token` of the one-character string `expr` (used by the canned query)."""
    cjk = " OR ".join(f"unicode({expr}) BETWEEN {lo} AND {hi}" for lo, hi in CJK_RANGES)
    return (
        f"CASE WHEN {expr} GLOB '[0-9a-z]' OR {cjk} THEN {expr} "
        f"ELSE printf('x%x', unicode({expr})) END"
    )


def _sql_trimmed(param: str) -> str:
    codes = ",".join(str(ord(c)) for c in QUERY_TRIM)
    return f"trim({param}, char({codes}))"


# SQL expressions over a parameter :q, for the canned query that works without Python.
SQL_TRIMMED_Q = _sql_trimmed(":q")
# The one-character MATCH expression of a 1- or 2-character :q (for longer ones, an empty phrase).
CHARS_MATCH_SQL = (
    f"CASE length({SQL_TRIMMED_Q}) "
    f"WHEN 1 THEN '\"' || {_sql_char_token(SQL_TRIMMED_Q)} || '\"' "
    f"WHEN 2 THEN '\"' || {_sql_char_token(f'substr({SQL_TRIMMED_Q}, 1, 1)')} || ' ' || "
    f"{_sql_char_token(f'substr({SQL_TRIMMED_Q}, 2, 1)')} || '\"' "
    "ELSE '\"\"' END"
)
# The trigram MATCH expression of :q (an empty phrase when :q is under 3 characters).
TRIGRAM_MATCH_SQL = (
    f"CASE WHEN length({SQL_TRIMMED_Q}) >= {TRIGRAM_MIN} "
    f"THEN '\"' || replace({SQL_TRIMMED_Q}, '\"', '\"\"') || '\"' ELSE '\"\"' END"
)


# ---------------------------------------------------------------------------- upkeep


def installed(db: sqlite_utils.Database) -> bool:
    """Whether every full-text table is there (read only: no write lock is taken)."""
    names = {DOCS_TRIGRAM, ARTICLES_TRIGRAM, DOCS_CHARS, ARTICLES_CHARS, ROWS_TABLE}
    found = {
        name
        for (name,) in db.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})", list(names)
        )
    }
    return found == names


def install(db: sqlite_utils.Database) -> None:
    """Create the full-text tables if they are missing (the store calls this when it opens)."""
    # statement by statement: executescript() would commit the caller's open transaction
    for statement in _DDL.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _table_exists(db: sqlite_utils.Database, name: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None
    )


def _delete_document(db: sqlite_utils.Database, document_id: str) -> None:
    rows = db.execute(
        f"SELECT kind, fts_rowid FROM [{ROWS_TABLE}] WHERE document_id = ?", [document_id]
    ).fetchall()
    for kind, rowid in rows:
        for table in _FTS_BY_KIND[kind]:
            db.execute(f"DELETE FROM [{table}] WHERE rowid = ?", [rowid])
    db.execute(f"DELETE FROM [{ROWS_TABLE}] WHERE document_id = ?", [document_id])


def _attachment_texts(db: sqlite_utils.Database, document_id: str) -> str:
    if not _table_exists(db, "attachments"):
        return ""
    return _joined_attachment_texts(db, document_id)


def _joined_attachment_texts(db: sqlite_utils.Database, document_id: str) -> str:
    texts = [
        t
        for (t,) in db.conn.execute(
            "SELECT text FROM attachments WHERE document_id = ? ORDER BY position", [document_id]
        )
        if t
    ]
    return ATTACHMENT_SEPARATOR.join(texts)


def _insert_document(
    db: sqlite_utils.Database, document_id: str, *, with_attachments: bool, with_articles: bool
) -> None:
    conn = db.conn
    row = conn.execute(
        "SELECT rowid, title, body_text FROM documents WHERE id = ?", [document_id]
    ).fetchone()
    if row is None:  # the document is gone: removing its rows was all there was to do
        return
    rowid, title, body = row
    attachments = _joined_attachment_texts(db, document_id) if with_attachments else ""
    values = (title or "", body or "", attachments)
    conn.execute(
        f"INSERT INTO [{DOCS_TRIGRAM}] (rowid, title, body, attachments) VALUES (?, ?, ?, ?)",
        [rowid, *values],
    )
    conn.execute(
        f"INSERT INTO [{DOCS_CHARS}] (rowid, title, body, attachments) VALUES (?, ?, ?, ?)",
        [rowid, *(encode_chars(v) for v in values)],
    )
    conn.execute(
        f"INSERT INTO [{ROWS_TABLE}] (kind, fts_rowid, document_id) VALUES ('document', ?, ?)",
        [rowid, document_id],
    )
    if not with_articles:
        return
    articles = conn.execute(
        "SELECT rowid, heading, text FROM articles WHERE document_id = ?", [document_id]
    ).fetchall()
    if not articles:
        return
    conn.executemany(
        f"INSERT INTO [{ARTICLES_TRIGRAM}] (rowid, heading, text) VALUES (?, ?, ?)",
        [(r, heading or "", text or "") for r, heading, text in articles],
    )
    conn.executemany(
        f"INSERT INTO [{ARTICLES_CHARS}] (rowid, heading, text) VALUES (?, ?, ?)",
        [(r, encode_chars(heading), encode_chars(text)) for r, heading, text in articles],
    )
    conn.executemany(
        f"INSERT INTO [{ROWS_TABLE}] (kind, fts_rowid, document_id) VALUES ('article', ?, ?)",
        [(r, document_id) for r, _, _ in articles],
    )


def _insert_documents(db: sqlite_utils.Database, document_ids: Iterable[str]) -> None:
    with_attachments = _table_exists(db, "attachments")
    with_articles = _table_exists(db, "articles")
    for document_id in document_ids:
        _insert_document(
            db, document_id, with_attachments=with_attachments, with_articles=with_articles
        )


def index_documents(db: sqlite_utils.Database, document_ids: Iterable[str]) -> None:
    """Bring the index in step with the current rows of several documents (delete, then insert).

    No savepoint inside: FTS5 writes its pending terms out as a new segment of every table it
    touched at each SAVEPOINT and RELEASE, so documents indexed one savepoint (or one
    transaction) each cost one segment per table each, and the merges those bring. Indexing
    the documents a transaction wrote together, just before it commits, writes one segment per
    table for all of them (`output.db.Store` does that). Opens a transaction when none is open.
    """
    ids = list(dict.fromkeys(document_ids))
    if not db.conn.in_transaction:
        with db.atomic():  # BEGIN … COMMIT, not a savepoint
            index_documents(db, ids)
        return
    install(db)
    with_attachments = _table_exists(db, "attachments")
    with_articles = _table_exists(db, "articles")
    for document_id in ids:
        _delete_document(db, document_id)
        _insert_document(
            db, document_id, with_attachments=with_attachments, with_articles=with_articles
        )


def index_document(db: sqlite_utils.Database, document_id: str) -> None:
    """Bring the index in step with one document's current rows (delete, then insert)."""
    index_documents(db, [document_id])


def rebuild(db: sqlite_utils.Database) -> int:
    """Drop and rebuild every full-text table from the source tables; returns documents indexed."""
    with db.atomic():
        for table in (DOCS_TRIGRAM, ARTICLES_TRIGRAM, DOCS_CHARS, ARTICLES_CHARS, ROWS_TABLE):
            db.execute(f"DROP TABLE IF EXISTS [{table}]")
    install(db)
    if not _table_exists(db, "documents"):
        return 0
    ids = [i for (i,) in db.execute("SELECT id FROM documents ORDER BY rowid")]
    with db.atomic():
        _insert_documents(db, ids)
    return len(ids)


# ---------------------------------------------------------------------------- search


def normalize_query(query: str) -> str:
    """The query as matched: leading and trailing whitespace removed."""
    return (query or "").strip(QUERY_TRIM)


def _snippet(text: str, query: str) -> str:
    at = text.find(query)
    if at < 0:
        return text[: 2 * SNIPPET_CONTEXT]
    start = max(0, at - SNIPPET_CONTEXT)
    end = min(len(text), at + len(query) + SNIPPET_CONTEXT)
    return (
        ("…" if start > 0 else "")
        + text[start:at]
        + SNIPPET_MARK[0]
        + query
        + SNIPPET_MARK[1]
        + text[at + len(query) : end]
        + ("…" if end < len(text) else "")
    ).replace("\n", " ")


def _filters(category: str | None, year: int | str | None, issuer: str | None) -> tuple[str, list]:
    where, params = [], []
    if category is not None:
        where.append("d.category = ?")
        params.append(category)
    if year is not None:
        where.append("substr(d.publish_date, 1, 4) = ?")
        params.append(str(year))
    if issuer is not None:
        where.append("EXISTS (SELECT 1 FROM issuers i WHERE i.document_id = d.id AND i.name = ?)")
        params.append(issuer)
    return "".join(f" AND {w}" for w in where), params


_DOC_COLS = "d.id, d.title, d.doc_number, d.publish_date, d.category"


def _match_rows(
    db: sqlite_utils.Database,
    kind: str,
    expr: str,
    short: bool,
    filt: str,
    fparams: list,
    limit: int | None,
) -> Iterator[tuple]:
    """Matching rows of one kind, best first; each row: doc columns, unit columns, rank.

    Ranked, the FTS rowids are ordered (and, without filters, cut to `limit`) before the source
    rows are joined, so the sort never carries the texts.
    """
    trigram, chars = _FTS_BY_KIND[kind]
    fts = chars if short else trigram
    count = db.execute(
        f"SELECT count(*) FROM (SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH ? LIMIT ?)",
        [expr, RANK_ALL_MAX + 1],
    ).fetchone()[0]
    if count == 0:
        return iter(())
    ranked = count <= RANK_ALL_MAX
    if kind == "document":
        cols = f"{_DOC_COLS}, NULL, NULL, NULL, NULL, d.body_text"
        join = "JOIN documents d ON d.rowid = m.rid"
        weights = f"{TITLE_WEIGHT}, 1.0, 1.0"
    else:
        cols = f"{_DOC_COLS}, a.seq, a.label, a.heading, a.text, NULL"
        join = "JOIN articles a ON a.rowid = m.rid JOIN documents d ON d.id = a.document_id"
        weights = f"{TITLE_WEIGHT}, 1.0"
    if ranked:
        cut = f" LIMIT {int(limit)}" if limit is not None and not filt else ""
        inner = (
            f"SELECT rowid AS rid, bm25([{fts}], {weights}) AS r FROM [{fts}] "
            f"WHERE [{fts}] MATCH ? ORDER BY r{cut}"
        )
        order = "m.r"
    else:
        inner = f"SELECT rowid AS rid, NULL AS r FROM [{fts}] WHERE [{fts}] MATCH ? ORDER BY rowid DESC"
        order = "m.rid DESC"
    sql = f"SELECT {cols}, m.r FROM ({inner}) m {join} WHERE 1{filt} ORDER BY {order}"
    return db.execute(sql, [expr, *fparams])


def _document_fields(db, row, query) -> tuple[str, str] | None:
    """(field, text) of the first document field holding the query, checked with instr."""
    document_id, title, body = row[0], row[1], row[9]
    if title and query in title:
        return "title", title
    if body and query in body:
        return "body", body
    attachments = _attachment_texts(db, document_id)
    for text in attachments.split(ATTACHMENT_SEPARATOR):
        if query in text:
            return "attachments", text
    return None


def _has_article_match(db: sqlite_utils.Database, document_id: str, query: str) -> bool:
    return (
        db.execute(
            "SELECT 1 FROM articles WHERE document_id = ? "
            "AND (instr(heading, ?) > 0 OR instr(text, ?) > 0) LIMIT 1",
            [document_id, query, query],
        ).fetchone()
        is not None
    )


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    limit: int | None = 20,
    category: str | None = None,
    year: int | str | None = None,
    issuer: str | None = None,
) -> list[Hit]:
    """Articles (and documents with no matching article) that contain `query`, best first.

    `limit=None` returns every hit. Filters: `category` (the site's column name, exact),
    `year` (of the publish date), `issuer` (an issuing agency's name, exact).
    """
    q = normalize_query(query)
    if not q or (limit is not None and limit <= 0):
        return []
    short = len(q) < TRIGRAM_MIN
    expr = chars_expression(q) if short else trigram_expression(q)
    filt, fparams = _filters(category, year, issuer)
    if not _table_exists(db, DOCS_TRIGRAM):
        raise RuntimeError("the database has no search index: run output.search.rebuild(db)")
    hits: list[Hit] = []
    for row in _match_rows(db, "article", expr, short, filt, fparams, limit):
        heading, text = row[7], row[8]
        if heading and q in heading:
            field, source = "heading", heading
        elif text and q in text:
            field, source = "text", text
        else:  # index out of step with the row: never return what the scan would not
            continue
        hits.append(_hit(row, field, _snippet(source, q)))
        if limit is not None and len(hits) >= limit:
            break  # rows come best first (or newest first when unranked)
    with_articles = {h.document_id for h in hits}
    doc_hits: list[Hit] = []
    for row in _match_rows(db, "document", expr, short, filt, fparams, None):
        if limit is not None and len(hits) + len(doc_hits) >= limit:
            # ranked: a document ranked below the last article kept cannot enter the top
            if len(doc_hits) >= limit:
                break
            bar = hits[limit - 1 - len(doc_hits)].rank
            if row[10] is None or bar is None or row[10] >= bar:
                break
        if row[0] in with_articles or _has_article_match(db, row[0], q):
            continue
        found = _document_fields(db, row, q)
        if found is None:
            continue
        doc_hits.append(_hit(row, found[0], _snippet(found[1], q)))
    merged = hits + doc_hits
    if all(h.rank is not None for h in merged):
        merged.sort(key=lambda h: h.rank)
    return merged if limit is None else merged[:limit]


def _hit(row: tuple, field: str, snippet: str) -> Hit:
    return Hit(
        document_id=row[0],
        title=row[1],
        doc_number=row[2],
        publish_date=row[3],
        category=row[4],
        seq=row[5],
        label=row[6],
        heading=row[7],
        field=field,
        snippet=snippet,
        rank=row[10],
    )


def scan(db: sqlite_utils.Database, query: str) -> set[tuple[str, int | None]]:
    """The reference answer: (document_id, seq) of what a substring scan with instr finds.

    Articles whose heading or text holds the query, and documents whose title, body or an
    attachment text holds it and none of whose articles does (seq None). Used by the tests and
    the benchmark as the baseline search must equal.
    """
    q = normalize_query(query)
    if not q:
        return set()
    found = {
        (d, s)
        for d, s in db.execute(
            "SELECT document_id, seq FROM articles "
            "WHERE instr(heading, ?) > 0 OR instr(text, ?) > 0",
            [q, q],
        )
    }
    with_articles = {d for d, _ in found}
    attachment_clause = (
        " OR EXISTS (SELECT 1 FROM attachments t WHERE t.document_id = d.id"
        " AND instr(t.text, :q) > 0)"
        if _table_exists(db, "attachments")
        else ""
    )
    for (d,) in db.execute(
        "SELECT d.id FROM documents d WHERE instr(d.title, :q) > 0 OR instr(d.body_text, :q) > 0"
        + attachment_clause,
        {"q": q},
    ):
        if d not in with_articles:
            found.add((d, None))
    return found


def format_table(hits: list[Hit]) -> str:
    """Hits as a plain-text table for a terminal: one block per hit, the term in 【】."""
    if not hits:
        return "no matches"
    blocks = []
    for n, h in enumerate(hits, 1):
        where = f"{h.label or ''}{h.heading or ''}" if h.seq is not None else f"({h.field})"
        head = "  ".join(x for x in (h.publish_date, h.doc_number, h.title) if x)
        snippet = h.snippet.replace(SNIPPET_MARK[0], "【").replace(SNIPPET_MARK[1], "】")
        blocks.append(f"{n:>3}. {head}\n     {h.document_id}  {where}\n     {snippet}")
    return "\n".join(blocks)


# Characters of context the SQL-only search shows on each side of the term.
SQL_SNIPPET_CONTEXT = 20
# Rows the SQL-only search returns at most (Datasette pages them further).
SQL_SEARCH_LIMIT = 200


def datasette_search_sql() -> str:
    """The search of this module in plain SQL over a parameter ``:q``, for Datasette's canned query.

    Same tables and same matching (trigram phrase for 3+ characters, one-character phrase for
    1-2), so the search box works for terms of every length without Python. bm25-ranked; the
    term is shown in 【】 in the snippet.
    """
    q = SQL_TRIMMED_Q
    ctx, width = SQL_SNIPPET_CONTEXT, 2 * SQL_SNIPPET_CONTEXT + 10

    def snippet(col: str) -> str:
        window = f"substr({col}, max(1, instr({col}, {q}) - {ctx}), {width})"
        return f"replace({window}, {q}, '【' || {q} || '】')"

    def matches(trigram: str, chars: str) -> str:
        return (
            f"SELECT rowid AS rid, rank FROM [{trigram}] WHERE [{trigram}] MATCH {TRIGRAM_MATCH_SQL}\n"
            f"  UNION ALL\n"
            f"  SELECT rowid, rank FROM [{chars}] WHERE [{chars}] MATCH {CHARS_MATCH_SQL}"
        )

    return (
        f"WITH arts AS (\n  {matches(ARTICLES_TRIGRAM, ARTICLES_CHARS)}\n),\n"
        f"docs AS (\n  {matches(DOCS_TRIGRAM, DOCS_CHARS)}\n)\n"
        "SELECT 'article' AS kind, d.id AS document_id, d.publish_date, d.doc_number, d.title,\n"
        f"  a.label, a.heading, {snippet('a.text')} AS snippet, arts.rank\n"
        "FROM arts JOIN articles a ON a.rowid = arts.rid JOIN documents d ON d.id = a.document_id\n"
        "UNION ALL\n"
        "SELECT 'document', d.id, d.publish_date, d.doc_number, d.title, NULL, NULL,\n"
        f"  CASE WHEN instr(d.body_text, {q}) > 0 THEN {snippet('d.body_text')} "
        f"ELSE {snippet('d.title')} END, docs.rank\n"
        "FROM docs JOIN documents d ON d.rowid = docs.rid\n"
        "WHERE NOT EXISTS (SELECT 1 FROM arts JOIN articles a2 ON a2.rowid = arts.rid "
        "WHERE a2.document_id = d.id)\n"
        f"ORDER BY rank LIMIT {SQL_SEARCH_LIMIT}"
    )
