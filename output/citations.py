"""Citations between documents: every 文号 and every 《title》 a document cites.

What this module holds: the `citations` table (DDL in `install`), its upkeep after each document
write (`refresh_document`, called by `output.db.Store`) and in bulk (`rebuild`), the extraction
(`extract`) and the two questions researchers ask (`cites`: what a document cites; `cited_by`:
what cites a document, or a 文号 not (yet) in the database).

One row per cited thing, in order of first appearance: a 《title》 directly followed by its 文号 in
brackets (《关于…的通知》（发改能源〔2022〕206号）) is one citation with both; a bare 文号 or a bare
《title》 is one with the other left NULL. ``cited_id`` is the cited document's id when it is in
the database, matched by 文号 first, else by title; a document arriving later fills the
``cited_id`` of the rows that were waiting for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from parsers.identifiers import find_doc_numbers

TABLE = "citations"

# A cited title: the text between 《 and 》, without nested book-title marks. Longer than any
# real title (the longest seen are ~60 characters), shorter than a run-away unmatched 《.
TITLE_RE = re.compile(r"《([^《》\n]{1,120})》")
# A 文号 in brackets right after a cited title belongs to that title. Up to 40 characters inside
# the brackets holds any 文号 and the odd "国家发展改革委令2026年第41号".
TITLE_NUMBER_RE = re.compile(r"\s*[（(]([^（）()\n]{1,40})[）)]")
# A citation usually drops the issuer the stored title starts with: 《关于推进…的意见》 cites
# "国家发展改革委等部门关于推进…的意见". A title is also matched on its part from this word on.
TITLE_KEY_WORD = "关于"

_DDL = (
    f"""CREATE TABLE IF NOT EXISTS [{TABLE}] (
    document_id TEXT NOT NULL,     -- the citing document
    position INTEGER NOT NULL,     -- 1-based order of first appearance in that document
    cited_doc_number TEXT,         -- normalised 文号, or NULL for a title cited without one
    cited_title TEXT,              -- the title between 《》, or NULL for a bare 文号
    cited_id TEXT,                 -- the cited document's id when it is in the database
    PRIMARY KEY (document_id, position)
)""",
    f"CREATE INDEX IF NOT EXISTS [{TABLE}_doc_number] ON [{TABLE}] (cited_doc_number)",
    f"CREATE INDEX IF NOT EXISTS [{TABLE}_title] ON [{TABLE}] (cited_title)",
    f"CREATE INDEX IF NOT EXISTS [{TABLE}_cited_id] ON [{TABLE}] (cited_id)",
)


@dataclass(frozen=True)
class Citation:
    doc_number: str | None
    title: str | None


def install(db: sqlite_utils.Database) -> None:
    """Create the citations table and its indexes if missing."""
    for statement in _DDL:
        db.execute(statement)


def title_key(title: str | None) -> str | None:
    """The part of a title from 关于 on (how other documents cite it), or None if it has none."""
    if not title:
        return None
    at = title.find(TITLE_KEY_WORD)
    return title[at:] if at > 0 else None


def extract(
    texts: list[str | None],
    *,
    own_doc_number: str | None = None,
    own_title: str | None = None,
    year: int | None = None,
) -> list[Citation]:
    """Every 文号 and 《title》 cited in `texts`, in order, without duplicates.

    The document's own 文号 and title do not count, nor a 《title》 that is part of its own title
    (关于印发《X》的通知 issues X: X is this document, not a citation). `year` dates an order cited
    by its number alone (…委员会令 第41号), as in `parsers.identifiers.find_doc_numbers`.
    """
    own_titles = {t for t in (own_title, title_key(own_title)) if t}
    own_inner = set(TITLE_RE.findall(own_title or ""))
    out: dict[tuple[str | None, str | None], None] = {}
    seen_numbers: set[str] = set()
    seen_titles: set[str] = set()
    for text in texts:
        if not text:
            continue
        paired: list[tuple[int, int]] = []
        found: list[tuple[int, Citation]] = []
        for m in TITLE_RE.finditer(text):
            title = m.group(1).strip()
            number = None
            after = TITLE_NUMBER_RE.match(text, m.end())
            if after:
                numbers = find_doc_numbers(after.group(1), year=year)
                if numbers:
                    number = numbers[0]
                    paired.append((after.start(), after.end()))
            found.append((m.start(), Citation(number, title)))
        # bare 文号: those outside the brackets already paired with a title
        masked = list(text)
        for start, end in paired:
            masked[start:end] = " " * (end - start)
        masked_text = "".join(masked)
        for number in find_doc_numbers(masked_text, year=year):
            found.append((_position(masked_text, number), Citation(number, None)))
        for _, cit in sorted(found, key=lambda x: x[0]):
            number = cit.doc_number if cit.doc_number != own_doc_number else None
            title = cit.title if cit.title not in own_titles and cit.title not in own_inner else None
            if number is None and title is None:
                continue
            if number is not None and title is None and number in seen_numbers:
                continue
            if title is not None and number is None and title in seen_titles:
                continue
            key = (number, title)
            if key in out:
                continue
            out[key] = None
            if number:
                seen_numbers.add(number)
            if title:
                seen_titles.add(title)
    # a bare mention of a number or title also cited as a pair elsewhere adds nothing
    pairs = [k for k in out if k[0] and k[1]]
    paired_numbers = {n for n, _ in pairs}
    paired_titles = {t for _, t in pairs}
    return [
        Citation(n, t)
        for n, t in out
        if (n and t) or (n and n not in paired_numbers) or (t and t not in paired_titles)
    ]


def _position(text: str, number: str) -> int:
    """Where a normalised number first appears (its serial as a rough anchor when spelled apart)."""
    at = text.find(number)
    return at if at >= 0 else len(text)


def _resolve_one(db: sqlite_utils.Database, document_id: str, cit: Citation) -> str | None:
    if cit.doc_number:
        row = db.execute(
            "SELECT id FROM documents WHERE doc_number = ? AND id != ? "
            "ORDER BY publish_date DESC LIMIT 1",
            [cit.doc_number, document_id],
        ).fetchone()
        if row:
            return row[0]
    if cit.title:
        row = db.execute(
            "SELECT id FROM documents WHERE title = ? AND id != ? "
            "ORDER BY publish_date DESC LIMIT 1",
            [cit.title, document_id],
        ).fetchone()
        if row is None and cit.title.startswith(TITLE_KEY_WORD):
            row = db.execute(
                "SELECT id FROM documents WHERE length(title) > ? AND substr(title, -?) = ? "
                "AND instr(title, ?) = length(title) - ? + 1 AND id != ? "
                "ORDER BY publish_date DESC LIMIT 1",
                [len(cit.title), len(cit.title), cit.title, TITLE_KEY_WORD, len(cit.title), document_id],
            ).fetchone()
        if row:
            return row[0]
    return None


def _texts(db: sqlite_utils.Database, document_id: str) -> list[str | None]:
    texts = [
        r[0]
        for r in db.execute("SELECT body_text FROM documents WHERE id = ?", [document_id])
    ]
    if db["attachments"].exists():
        texts += [
            t
            for (t,) in db.execute(
                "SELECT text FROM attachments WHERE document_id = ? ORDER BY position", [document_id]
            )
        ]
    return texts


def refresh_document(db: sqlite_utils.Database, document_id: str) -> int:
    """Re-extract one document's citations and link the rows that cite it; returns its count."""
    install(db)
    with db.atomic():
        db.execute(f"DELETE FROM [{TABLE}] WHERE document_id = ?", [document_id])
        row = db.execute(
            "SELECT doc_number, title, coalesce(doc_number_year, substr(publish_date, 1, 4)) "
            "FROM documents WHERE id = ?",
            [document_id],
        ).fetchone()
        # rows that pointed here are re-resolved: this document's number or title may have changed
        pointing = db.execute(
            f"SELECT document_id, position, cited_doc_number, cited_title FROM [{TABLE}] "
            "WHERE cited_id = ?",
            [document_id],
        ).fetchall()
        for citing, position, number, title in pointing:
            db.execute(
                f"UPDATE [{TABLE}] SET cited_id = ? WHERE document_id = ? AND position = ?",
                [_resolve_one(db, citing, Citation(number, title)), citing, position],
            )
        if row is None:
            return 0
        doc_number, title, year = row
        citations = extract(
            _texts(db, document_id),
            own_doc_number=doc_number,
            own_title=title,
            year=int(year) if year and str(year).isdigit() else None,
        )
        db.conn.executemany(
            f"INSERT INTO [{TABLE}] (document_id, position, cited_doc_number, cited_title, cited_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (document_id, i, c.doc_number, c.title, _resolve_one(db, document_id, c))
                for i, c in enumerate(citations, 1)
            ],
        )
        _link_waiting(db, document_id, doc_number, title)
    return len(citations)


def _link_waiting(
    db: sqlite_utils.Database, document_id: str, doc_number: str | None, title: str | None
) -> None:
    """Fill cited_id of earlier rows that cite this document and found nothing then."""
    if doc_number:
        db.execute(
            f"UPDATE [{TABLE}] SET cited_id = ? WHERE cited_id IS NULL AND document_id != ? "
            "AND cited_doc_number = ?",
            [document_id, document_id, doc_number],
        )
    titles = [t for t in (title, title_key(title)) if t]
    for t in titles:
        # only rows without a 文号: a row whose 文号 matched nothing cites another document
        db.execute(
            f"UPDATE [{TABLE}] SET cited_id = ? WHERE cited_id IS NULL AND document_id != ? "
            "AND cited_doc_number IS NULL AND cited_title = ?",
            [document_id, document_id, t],
        )


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute the whole citations table; returns the number of citations."""
    with db.atomic():
        db.execute(f"DROP TABLE IF EXISTS [{TABLE}]")
    install(db)
    if not db["documents"].exists():
        return 0
    total = 0
    ids = [i for (i,) in db.execute("SELECT id FROM documents ORDER BY rowid")]
    with db.atomic():
        for document_id in ids:
            total += refresh_document(db, document_id)
    return total


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
