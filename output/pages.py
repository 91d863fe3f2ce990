"""The raw page store: every response, zlib-compressed, kept before it is parsed (table `pages`).

One row per distinct (url, body); the newest content of a URL is the one checked last. Its
writes run inside the caller's transaction (`output.db.Store` opens it); its readers take the
sqlite-utils `Database`. Attachment rows take hash and size of their stored file from here.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import sqlite_utils

# zlib level for raw page bodies: 6 is zlib's own default balance; HTML shrinks about 5x.
PAGE_COMPRESSION_LEVEL = 6

# The kinds of raw page the crawler stores; anything else is a programming error upstream.
PAGE_KINDS = frozenset({"list", "detail", "attachment", "other"})


class PageRef(NamedTuple):
    """A stored raw page: its row id, the sha256 of its body, and whether the URL's content changed."""

    id: int
    sha256: str
    changed: bool


class StoredPage(NamedTuple):
    """The newest stored content of one URL, as `latest_pages` yields it."""

    url: str
    body: bytes
    sha256: str
    fetched_at: str
    status: int | None


def newest_page(db: sqlite_utils.Database, url: str, columns: str) -> tuple | None:
    """`columns` of the newest stored content of `url`, or None when it was never stored."""
    return db.execute(
        f"SELECT {columns} FROM pages WHERE url = ? ORDER BY last_checked DESC, id DESC LIMIT 1",
        (url,),
    ).fetchone()


def check_page(kind: str, body: object) -> bytes:
    """The body as bytes, or ValueError/TypeError for a kind or body `save_page` cannot store."""
    if kind not in PAGE_KINDS:
        raise ValueError(f"page kind must be one of {sorted(PAGE_KINDS)}, not {kind!r}")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"page body must be bytes, not {type(body).__name__}")
    return bytes(body)


def save_page(
    db: sqlite_utils.Database,
    url: str,
    *,
    status: int | None,
    body: bytes,
    kind: str,
    content_type: str | None,
    etag: str | None,
    last_modified: str | None,
    at: str,
) -> PageRef:
    """Store one body checked by `check_page`, fetched `at`; see `Store.save_page`."""
    sha = hashlib.sha256(body).hexdigest()
    previous = newest_page(db, url, "sha256")
    row = db.execute("SELECT id FROM pages WHERE url = ? AND sha256 = ?", (url, sha)).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO pages (url, kind, status, fetched_at, last_checked, sha256, size,"
            " content_type, etag, last_modified, body) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (url, kind, status, at, at, sha, len(body), content_type, etag, last_modified,
             zlib.compress(body, PAGE_COMPRESSION_LEVEL)),
        )
        page_id = cursor.lastrowid
    else:
        page_id = row[0]
        db.execute(
            "UPDATE pages SET last_checked = max(last_checked, ?), status = ?,"
            " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
            " content_type = coalesce(?, content_type) WHERE id = ?",
            (at, status, etag, last_modified, content_type, page_id),
        )
    return PageRef(page_id, sha, previous is None or previous[0] != sha)


def touch_page(db: sqlite_utils.Database, url: str, at: str) -> bool:
    """Move `last_checked` of the newest content of `url` to `at`; False if the URL is unknown."""
    row = newest_page(db, url, "id")
    if row is None:
        return False
    db.execute("UPDATE pages SET last_checked = max(last_checked, ?) WHERE id = ?", (at, row[0]))
    return True


def page_validators(db: sqlite_utils.Database, url: str) -> tuple[str | None, str | None] | None:
    """(etag, last_modified) of the newest content of `url` for a conditional request.

    None when the URL was never stored, its newest response was not a 200, or it carried
    neither validator: the next request must then be unconditional.
    """
    row = newest_page(db, url, "status, etag, last_modified")
    if row is None or row[0] != 200 or (row[1] is None and row[2] is None):
        return None
    return row[1], row[2]


def page_body(db: sqlite_utils.Database, url: str) -> bytes | None:
    """The raw bytes of the newest content of `url`, or None."""
    row = newest_page(db, url, "body")
    return None if row is None else zlib.decompress(row[0])


def latest_pages(db: sqlite_utils.Database, kind: str | None = None) -> Iterator[StoredPage]:
    """The newest content of every URL (of one kind), in URL order, for a reparse.

    The row ids are read first and each body fetched on its own, so the caller may write
    to the store while iterating and memory stays flat.
    """
    where, params = ("WHERE kind = ?", (kind,)) if kind else ("", ())
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM (SELECT id, url, row_number() OVER ("
            " PARTITION BY url ORDER BY last_checked DESC, id DESC) AS rank"
            f" FROM pages {where}) WHERE rank = 1 ORDER BY url",
            params,
        )
    ]
    for page_id in ids:
        row = db.execute(
            "SELECT url, body, sha256, fetched_at, status FROM pages WHERE id = ?", (page_id,)
        ).fetchone()
        if row is not None:
            yield StoredPage(row[0], zlib.decompress(row[1]), row[2], row[3], row[4])


def attachment_file(
    db: sqlite_utils.Database, url: str, *, sha256: str | None, size: int | None, file_type: str | None
) -> int:
    """Fill hash, size and type of every attachment row linking to `url`; how many it updated."""
    return db.execute(
        "UPDATE attachments SET sha256 = coalesce(?, sha256), size = coalesce(?, size),"
        " file_type = coalesce(?, file_type) WHERE url = ?",
        (sha256, size, file_type.lower() if file_type else None, url),
    ).rowcount


def stored_file(db: sqlite_utils.Database, url: str) -> tuple[str, int] | None:
    """(sha256, size) of the newest stored content of `url`, or None."""
    return newest_page(db, url, "sha256, size")

