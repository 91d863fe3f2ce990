"""JSON Lines dumps of the stored documents, with their JSON Schema and a manifest.

`export(db_path, out_dir)` writes into `out_dir`:

- `documents.jsonl`: one document JSON per line (the current version as stored, with relation
  target ids, validity and its basis as the archive knows them now), sorted by id,
  compact with sorted keys, UTF-8 without `\\u` escapes; withdrawn documents included;
- `document.schema.json`: the JSON Schema every line validates against;
- `changes.jsonl` (only with `since`): `{"id", "change": added|updated|withdrawn, "at"}` per line,
  an update with `articles`: `[{change: added|removed|moved|changed, seq, label, source}]`, the
  articles that differ from the version stored before `since` (output/diff.py);
- `manifest.json`: counts, sha256 and size of each file, the schema version.

Output depends only on the data: exporting an unchanged database gives byte-identical files.
Every file is written to a temporary name and renamed, and all reads come from one snapshot, so
a crawl writing at the same time never makes a dump inconsistent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from output.dump_line import canonical_dumps, with_overlay
from output.schema_check import SCHEMA_PATH, SCHEMA_VERSION

DOCUMENTS_FILE = "documents.jsonl"
CHANGES_FILE = "changes.jsonl"
SCHEMA_FILE = "document.schema.json"
MANIFEST_FILE = "manifest.json"

# Format of the manifest itself; bump when its keys change.
MANIFEST_VERSION = 1


class ExportError(RuntimeError):
    """The export cannot run; `str()` is one line a person can act on."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    bytes: int
    lines: int | None = None


@dataclass(frozen=True)
class Manifest:
    """What an export wrote; `to_dict()` is manifest.json."""

    schema_version: str
    since: str | None
    counts: dict[str, int]
    files: dict[str, FileEntry]
    data_as_of: str | None  # the latest change in the data (not the time of the export)
    withdrawn: list[dict[str, str]] = field(default_factory=list)
    manifest_version: int = MANIFEST_VERSION

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = {name: asdict(entry) for name, entry in sorted(self.files.items())}
        return out


_dumps = canonical_dumps


class _AtomicFile:
    """A file written under a temporary name in the target folder, hashed as it is written,
    and renamed over the target on commit (never a half-written file under the real name)."""

    def __init__(self, path: Path):
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.lines = 0

    def write_line(self, text: str) -> None:
        self.write(text.encode("utf-8") + b"\n")
        self.lines += 1

    def write(self, data: bytes) -> None:
        self._fh.write(data)
        self._hash.update(data)
        self.size += len(data)

    def commit(self, *, count_lines: bool = True) -> FileEntry:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.chmod(self._tmp, 0o644)
        os.replace(self._tmp, self.path)
        return FileEntry(self._hash.hexdigest(), self.size, self.lines if count_lines else None)

    def discard(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        self._tmp.unlink(missing_ok=True)


def _since_bound(since: str | dt.date | None) -> str | None:
    """`since` as the store's timestamp form, so it compares with first_seen/updated_at."""
    if since is None:
        return None
    text = since.isoformat() if isinstance(since, dt.date) else str(since).strip()
    try:
        dt.date.fromisoformat(text[:10])
        if len(text) > 10:
            dt.datetime.fromisoformat(text)
    except ValueError:
        raise ExportError(f"since must be an ISO date (YYYY-MM-DD), not {since!r}") from None
    from output.timestamps import timestamp

    return timestamp(text)


def _open_snapshot(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to a database at the current schema, in one read transaction."""
    if not db_path.is_file():
        raise ExportError(f"no database at {db_path}")
    from output.db import Store, StoreError
    from output.schema import MIGRATIONS

    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < len(MIGRATIONS):
            # A database made by an older version: bring it up to date first.
            conn.close()
            try:
                Store(db_path, extensions=False).close()
            except StoreError as err:
                raise ExportError(str(err)) from None
            conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("BEGIN")  # one snapshot for every read below
        conn.execute("SELECT count(*) FROM documents").fetchone()
    except sqlite3.DatabaseError as err:
        conn.close()
        raise ExportError(f"{db_path}: cannot read the database ({err})") from None
    return conn


def _changes(conn: sqlite3.Connection, bound: str) -> list[tuple[str, str, str]]:
    """(id, change, at) of every document added, updated or withdrawn at or after `bound`.

    A document both added and withdrawn in the window counts as withdrawn (its latest state).
    """
    day = bound[:10]
    out = []
    for doc_id, status, withdrawn_date, first_seen, updated_at in conn.execute(
        "SELECT id, status, withdrawn_date, first_seen, updated_at FROM documents"
        " WHERE (status = 'withdrawn' AND withdrawn_date >= ?) OR first_seen >= ? OR updated_at >= ?"
        " ORDER BY id",
        (day, bound, bound),
    ):
        if status == "withdrawn" and withdrawn_date and withdrawn_date >= day:
            out.append((doc_id, "withdrawn", withdrawn_date))
        elif first_seen >= bound:
            out.append((doc_id, "added", first_seen))
        else:
            out.append((doc_id, "updated", updated_at))
    return out


def _document_lines(conn: sqlite3.Connection, ids: Iterable[str] | None, as_of: str | None = None) -> Iterable[str]:
    """Each document's dump line: its stored JSON as it is, with what the archive knows now
    put in place (output/dump_line.py): relation target ids, validity and its basis
    (output.relations.document_overlay)."""
    from output.relations import document_overlay

    sql = (
        "SELECT d.id, v.document_json FROM documents d JOIN document_versions v"
        " ON v.document_id = d.id AND v.version = d.version"
    )
    if ids is None:
        rows: Iterable[tuple[str, str]] = conn.execute(sql + " ORDER BY d.id")
    else:
        rows = (row for doc_id in ids for row in conn.execute(sql + " WHERE d.id = ?", (doc_id,)))
    for doc_id, text in rows:
        yield with_overlay(text, document_overlay(conn, doc_id, as_of))


def _changed_articles(conn: sqlite3.Connection, doc_id: str, bound: str) -> list[dict[str, Any]]:
    """Which articles changed between the last version before `bound` and the current one
    (output.diff): [{change, seq, label, source}], [] when only the metadata or nothing did."""
    from output.diff import article_changes, versions_around

    pair = versions_around(conn, doc_id, bound)
    return article_changes(*pair) if pair else []


def export(
    db_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    since: str | dt.date | None = None,
    as_of: str | None = None,
) -> Manifest:
    """Write the JSON Lines dump of the database at `db_path` into `out_dir`; returns the manifest.

    `since` (an ISO date) limits `documents.jsonl` to documents added, updated or withdrawn on
    or after that day and adds `changes.jsonl`. Without it, every document is written and a
    `changes.jsonl` left by an earlier `since` export is removed.
    """
    db_path, out = Path(db_path), Path(out_dir)
    bound = _since_bound(since)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create {out}: {err.strerror or err}") from None
    if not SCHEMA_PATH.is_file():
        raise ExportError(f"the JSON Schema is missing from the installation ({SCHEMA_PATH})")

    conn = _open_snapshot(db_path)
    pending: list[_AtomicFile] = []
    try:
        files: dict[str, FileEntry] = {}
        counts: dict[str, int] = {}
        changes = _changes(conn, bound) if bound is not None else None

        docs = _AtomicFile(out / DOCUMENTS_FILE)
        pending.append(docs)
        for line in _document_lines(conn, None if changes is None else [c[0] for c in changes], as_of):
            docs.write_line(line)
        counts["documents"] = docs.lines

        if changes is not None:
            log = _AtomicFile(out / CHANGES_FILE)
            pending.append(log)
            for doc_id, change, at in changes:
                entry = {"id": doc_id, "change": change, "at": at}
                if change == "updated":
                    entry["articles"] = _changed_articles(conn, doc_id, bound)
                log.write_line(_dumps(entry))
            for kind in ("added", "updated", "withdrawn"):
                counts[kind] = sum(1 for c in changes if c[1] == kind)

        schema = _AtomicFile(out / SCHEMA_FILE)
        pending.append(schema)
        schema.write(SCHEMA_PATH.read_bytes())

        withdrawn = [
            {"id": doc_id, "withdrawn_date": day}
            for doc_id, day in conn.execute(
                "SELECT id, withdrawn_date FROM documents WHERE status = 'withdrawn' ORDER BY id"
            )
        ]
        if changes is None:
            counts["withdrawn"] = len(withdrawn)
            counts["active"] = counts["documents"] - len(withdrawn)
        else:
            changed = {c[0] for c in changes}
            withdrawn = [w for w in withdrawn if w["id"] in changed]
        latest = conn.execute(
            "SELECT max(x) FROM (SELECT max(updated_at) AS x FROM documents"
            " UNION ALL SELECT max(withdrawn_date) FROM documents)"
        ).fetchone()[0]

        names = {docs: DOCUMENTS_FILE, schema: SCHEMA_FILE}
        if changes is not None:
            names[pending[1]] = CHANGES_FILE
        for handle in list(pending):
            files[names[handle]] = handle.commit(count_lines=handle is not schema)
            pending.remove(handle)
        if changes is None:
            (out / CHANGES_FILE).unlink(missing_ok=True)

        manifest = Manifest(
            schema_version=SCHEMA_VERSION,
            since=bound[:10] if bound else None,
            counts=counts,
            files=files,
            data_as_of=latest,
            withdrawn=withdrawn,
        )
        handle = _AtomicFile(out / MANIFEST_FILE)
        pending.append(handle)
        handle.write((json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
        handle.commit()
        pending.clear()
        return manifest
    except OSError as err:
        raise ExportError(f"cannot write the dump into {out}: {err.strerror or err}") from None
    finally:
        for handle in pending:
            handle.discard()
        conn.close()
