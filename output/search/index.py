"""The full-text tables of `output.search` and their upkeep: DDL (`install`, `installed`), the
one-character encoding (`encode_chars`), the MATCH expressions of one term (`term_expression`),
index writes for the documents a transaction wrote (`index_documents`) and `rebuild`.

Design (measured with ``bench/search_bench.py`` on 10,000 generated documents, ~20 M characters):

* Matching is exact substring matching, the same as ``instr(text, term) > 0`` on the source
  columns: documents (``title``, ``body_text``, attachment texts) and articles (``heading``,
  ``text``). A term lies within one of those texts: FTS5 phrases never span two columns or two
  rows, and the one place texts share a column, a document's attachments joined by
  `ATTACHMENT_SEPARATOR`, is checked for the few terms that could span it
  (`may_span_attachments`; `output.search.query` reads their attachment matches with ``instr``).
* Terms of 3 characters and more go to FTS5 ``trigram`` indexes (``case_sensitive 1``, so a
  phrase query is exactly a substring test). They are the fastest index for long terms
  (6 characters: ~1 ms against ~35 ms for a phrase of 6 single-character tokens).
* The trigram tokenizer cannot match anything under 3 characters, and on SQLite 3.40 (the
  system version) a LIKE over a trigram table silently returns no rows for short patterns. So
  1- and 2-character terms go to a second pair of FTS5 indexes whose content is written one
  character per token (`encode_chars`): a CJK ideograph, an ASCII digit or lower-case letter
  stands for itself, every other character (punctuation, whitespace, upper case, full-width
  forms, rare ideographs) becomes the token ``x`` + its hex code point, so the default
  ``unicode61`` tokenizer neither drops nor folds anything and a term is a phrase of the same
  tokens. A newer SQLite as a dependency (pysqlite3 / apsw) was rejected: Datasette and every
  researcher's own ``sqlite3`` would still read the file with the system library.
* The indexes cost disk: about 4x the indexed text.

FTS rowids are the rowids of the source rows (``documents``, ``articles``), so Datasette's
table search box could use the trigram tables directly; ``search_rows`` remembers which FTS rows
belong to which document so `index_documents` can remove them after the store has rewritten
the source rows.
"""

from __future__ import annotations

from typing import Iterable

import sqlite_utils

# Full-text tables. Names are public: Datasette's metadata and the README's examples use them.
DOCS_TRIGRAM = "search_documents_trigram"
ARTICLES_TRIGRAM = "search_articles_trigram"
DOCS_CHARS = "search_documents_chars"
ARTICLES_CHARS = "search_articles_chars"
DOCS_GRAMS = "search_documents_grams"
ROWS_TABLE = "search_rows"

# Shortest query the trigram index can answer; shorter ones use the one-character index.
TRIGRAM_MIN = 3
# Joins the texts of several attachments in one FTS column (the stored form of the trigram and
# one-character indexes; the gram index never joins them). A phrase that overlaps it (holds it,
# lies inside it, starts with an end of it or ends with a start of it: "\n一带" after an
# attachment) can MATCH across the border of two attachments, so the search checks such a
# term's attachment matches against each attachment's own text (`may_span_attachments`).
ATTACHMENT_SEPARATOR = "\n\x1f\n"
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
CREATE VIRTUAL TABLE IF NOT EXISTS [{DOCS_GRAMS}] USING fts5(
    grams, tokenize = 'unicode61 remove_diacritics 0', detail = none, columnsize = 0);
CREATE TABLE IF NOT EXISTS [{ROWS_TABLE}] (
    kind TEXT NOT NULL,          -- 'document' or 'article'
    fts_rowid INTEGER NOT NULL,  -- rowid in the FTS tables of that kind (= the source rowid)
    document_id TEXT NOT NULL,
    PRIMARY KEY (kind, fts_rowid)
);
CREATE INDEX IF NOT EXISTS [{ROWS_TABLE}_document] ON [{ROWS_TABLE}] (document_id);
"""

FTS_BY_KIND = {"document": (DOCS_TRIGRAM, DOCS_CHARS), "article": (ARTICLES_TRIGRAM, ARTICLES_CHARS)}
ALL_TABLES = (DOCS_TRIGRAM, ARTICLES_TRIGRAM, DOCS_CHARS, ARTICLES_CHARS, DOCS_GRAMS, ROWS_TABLE)


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


class _GramTable(dict):
    """code point → its unit in a gram token: a CJK ideograph itself, any other ``x{hex}y``."""

    def __missing__(self, code: int) -> str:
        unit = self[code] = chr(code) if _is_cjk(code) else f"x{code:x}y"
        return unit


_UNITS = _GramTable()
# Joins the grams before one translate encodes them all; the NUL becomes the token separator.
_GRAM_JOIN = "\x00"
_GRAM_TRANSLATE = _GramTable({0: " "})


def _gram_token(gram: str) -> str:
    return "".join(_UNITS[ord(c)] for c in gram)


def gram_tokens(texts: Iterable[str | None]) -> str:
    """The distinct 1- and 2-character substrings of each text, as gram tokens (one FTS row).

    Tokens are CJK ideographs and ``x{hex}y`` units run together: uniquely decodable, and one
    unicode61 token each. Bigrams never span two texts (title, body, attachments).
    """
    grams: set[str] = set()
    for text in texts:
        if text:
            grams.update(text)
            grams.update(map(str.__add__, text, text[1:]))
    odd = {g for g in grams if _GRAM_JOIN in g}  # a NUL in the text: encoded one by one
    # sorted: the same document writes the same row in every process (set order follows the hash seed)
    encoded = _GRAM_JOIN.join(sorted(grams - odd)).translate(_GRAM_TRANSLATE)
    return " ".join([encoded, *(_gram_token(g) for g in sorted(odd))]) if odd else encoded


def gram_expression(term: str) -> str:
    """FTS5 MATCH expression of a 1- or 2-character term in the gram index."""
    return '"' + _gram_token(term) + '"'


def term_expression(term: str) -> tuple[bool, str]:
    """(short, MATCH expression) of one term: the one-character index under `TRIGRAM_MIN`."""
    if len(term) < TRIGRAM_MIN:
        return True, chars_expression(term)
    return False, trigram_expression(term)


def chars_expression(query: str) -> str:
    """FTS5 MATCH expression for the one-character index: the query's tokens as one phrase.

    Tokens are alphanumeric, so the phrase needs no escaping whatever the user typed.
    """
    return '"' + encode_chars(query) + '"'


def trigram_expression(query: str) -> str:
    """FTS5 MATCH expression for a trigram index: the query as one quoted phrase."""
    return '"' + query.replace('"', '""') + '"'


# ---------------------------------------------------------------------------- upkeep


def installed(db: sqlite_utils.Database) -> bool:
    """Whether every full-text table is there (read only: no write lock is taken)."""
    names = set(ALL_TABLES)
    found = {
        name
        for (name,) in db.execute(
            f"SELECT name FROM sqlite_master WHERE name IN ({', '.join('?' * len(names))})", list(names)
        )
    }
    return found == names


def install(db: sqlite_utils.Database) -> None:
    """Create the full-text tables if they are missing (the store calls this when it opens)."""
    had_grams = table_exists(db, DOCS_GRAMS)
    # statement by statement: executescript() would commit the caller's open transaction
    for statement in _DDL.split(";\n"):
        if statement.strip():
            db.execute(statement)
    if not had_grams and table_exists(db, DOCS_TRIGRAM) and table_exists(db, "documents"):
        # a database indexed before the gram index existed: fill it for the documents indexed
        indexed = [i for (i,) in db.execute(f"SELECT document_id FROM [{ROWS_TABLE}] WHERE kind = 'document'")]
        with_attachments = table_exists(db, "attachments")
        for document_id in indexed:
            _insert_grams(db, document_id, with_attachments)


def table_exists(db: sqlite_utils.Database, name: str) -> bool:
    return (
        db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [name]).fetchone() is not None
    )


def _delete_document(db: sqlite_utils.Database, document_id: str) -> None:
    rows = db.execute(
        f"SELECT kind, fts_rowid FROM [{ROWS_TABLE}] WHERE document_id = ?", [document_id]
    ).fetchall()
    for kind, rowid in rows:
        for table in FTS_BY_KIND[kind] + ((DOCS_GRAMS,) if kind == "document" else ()):
            db.execute(f"DELETE FROM [{table}] WHERE rowid = ?", [rowid])
    db.execute(f"DELETE FROM [{ROWS_TABLE}] WHERE document_id = ?", [document_id])


def may_span_attachments(term: str) -> bool:
    """Whether `term` could MATCH the joined attachments column across the border of two
    attachments: only when it overlaps `ATTACHMENT_SEPARATOR` (see there). Any other term's
    MATCH is exactly "one attachment's text holds it"."""
    sep = ATTACHMENT_SEPARATOR
    return (
        sep in term
        or term in sep
        or any(term.startswith(sep[i:]) or term.endswith(sep[:i]) for i in range(1, len(sep)))
    )


def attachment_texts(db: sqlite_utils.Database, document_id: str) -> list[str]:
    """The document's attachment texts, in order, the empty ones left out."""
    return [
        t
        for (t,) in db.conn.execute(
            "SELECT text FROM attachments WHERE document_id = ? ORDER BY position", [document_id]
        )
        if t
    ]


def _insert_grams(db: sqlite_utils.Database, document_id: str, with_attachments: bool) -> None:
    row = db.conn.execute("SELECT rowid, title, body_text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        return
    attachments = attachment_texts(db, document_id) if with_attachments else []
    db.conn.execute(f"DELETE FROM [{DOCS_GRAMS}] WHERE rowid = ?", [row[0]])
    db.conn.execute(
        f"INSERT INTO [{DOCS_GRAMS}] (rowid, grams) VALUES (?, ?)",
        [row[0], gram_tokens([row[1], row[2], *attachments])],
    )


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
    attachments = attachment_texts(db, document_id) if with_attachments else []
    values = (title or "", body or "", ATTACHMENT_SEPARATOR.join(attachments))
    conn.execute(
        f"INSERT INTO [{DOCS_TRIGRAM}] (rowid, title, body, attachments) VALUES (?, ?, ?, ?)",
        [rowid, *values],
    )
    conn.execute(
        f"INSERT INTO [{DOCS_CHARS}] (rowid, title, body, attachments) VALUES (?, ?, ?, ?)",
        [rowid, *(encode_chars(v) for v in values)],
    )
    conn.execute(
        f"INSERT INTO [{DOCS_GRAMS}] (rowid, grams) VALUES (?, ?)", [rowid, gram_tokens([title, body, *attachments])]
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
    with_attachments = table_exists(db, "attachments")
    with_articles = table_exists(db, "articles")
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
    with_attachments = table_exists(db, "attachments")
    with_articles = table_exists(db, "articles")
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
        for table in ALL_TABLES:
            db.execute(f"DROP TABLE IF EXISTS [{table}]")
    install(db)
    if not table_exists(db, "documents"):
        return 0
    ids = [i for (i,) in db.execute("SELECT id FROM documents ORDER BY rowid")]
    with db.atomic():
        _insert_documents(db, ids)
        # one segment for the gram index: a common character's rowids are then read in one run
        db.execute(f"INSERT INTO [{DOCS_GRAMS}] ([{DOCS_GRAMS}]) VALUES ('optimize')")
    return len(ids)
