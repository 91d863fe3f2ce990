"""Dead links: listed pages, attachments and 解读 pages that answer 404 or 410, and their re-checks.

The real site lists pages that were never published or were taken down, and links attachments
and 一图读懂 pages that do not exist. Such a link is not an alarm for ever: it is recorded once
(`dead_links`, with the day first and last seen), the run that first meets it says so, and it is
checked again with a back-off: never the same day, then 1, 2, 4… days after the last check, at
most `max_days` apart. A dead link that answers again is removed from the table (its page is then
stored as any other).

Table ``dead_links``: `url` (PK), `kind` (`detail` a listed page, `attachment`, `interpretation`
a 解读 page), `listed_in` (the column slug it was met in), `linked_from` (the document URL
linking it, for attachments and 解读), `status` (the last 404/410), `first_seen`, `last_seen`,
`checks` (times found dead), `next_check` (ISO dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import sqlite_utils

TABLE = "dead_links"
KINDS = ("detail", "attachment", "interpretation")
# Never checked again the same day; then the wait doubles from one day up to this.
MAX_DAYS = 30
COLUMNS = {
    "url": str,
    "kind": str,
    "listed_in": str,
    "linked_from": str,
    "status": int,
    "first_seen": str,
    "last_seen": str,
    "checks": int,
    "next_check": str,
}


def next_check(seen: dt.date, checks: int, max_days: int = MAX_DAYS) -> dt.date:
    """The day to check a link found dead `checks` times, the last time on `seen`: 1, 2, 4… days later."""
    days = min(max(1, max_days), 2 ** max(0, checks - 1))
    return seen + dt.timedelta(days=days)


def ensure_table(db: sqlite_utils.Database) -> None:
    if TABLE not in db.table_names():
        db[TABLE].create(COLUMNS, pk="url", if_not_exists=True)
        db[TABLE].create_index(["next_check"], if_not_exists=True)


def load(db: sqlite_utils.Database) -> dict[str, dict]:
    """url -> row of every dead link recorded (empty when the table does not exist yet)."""
    if TABLE not in db.table_names():
        return {}
    return {row["url"]: row for row in db[TABLE].rows}


def is_due(row: Mapping, today: dt.date) -> bool:
    return (row.get("next_check") or "") <= today.isoformat()


def record(db: sqlite_utils.Database, seen: Mapping[str, Mapping], revived: Iterable[str], today: dt.date,
           max_days: int = MAX_DAYS) -> None:
    """Write one run's findings in one transaction.

    `seen`: url -> {kind, listed_in, linked_from, status} of every link that answered 404/410 this
    run; `revived`: URLs of recorded dead links that answered 200.
    """
    ensure_table(db)
    known = load(db)
    rows = []
    for url, found in seen.items():
        before = known.get(url)
        checks = (before["checks"] if before else 0) + 1
        if before and before.get("last_seen") == today.isoformat():
            checks = before["checks"]  # met twice in one day: one check
        rows.append({
            "url": url,
            "kind": found.get("kind"),
            "listed_in": found.get("listed_in") or (before or {}).get("listed_in"),
            "linked_from": found.get("linked_from") or (before or {}).get("linked_from"),
            "status": found.get("status"),
            "first_seen": before["first_seen"] if before else today.isoformat(),
            "last_seen": today.isoformat(),
            "checks": checks,
            "next_check": next_check(today, checks, max_days).isoformat(),
        })
    with db.conn:
        if rows:
            db[TABLE].upsert_all(rows, pk="url")
        for url in revived:
            db.execute(f"DELETE FROM {TABLE} WHERE url = ?", [url])


def linked_from(db: sqlite_utils.Database, urls: Iterable[str]) -> dict[str, str]:
    """url -> the URL of a stored document linking it as an attachment or a 解读 page."""
    out: dict[str, str] = {}
    tables = set(db.table_names())
    for table in ("attachments", "interpretations"):
        if table not in tables:
            continue
        for url in urls:
            row = db.execute(
                f"SELECT d.url FROM {table} t JOIN documents d ON d.id = t.document_id WHERE t.url = ? LIMIT 1",
                [url],
            ).fetchone()
            if row and row[0]:
                out.setdefault(url, row[0])
    return out


def report(db: sqlite_utils.Database, limit: int = 50) -> list[dict]:
    """The dead links for `ndrc-policy status`, longest dead first."""
    if TABLE not in db.table_names():
        return []
    return list(db.query(f"SELECT * FROM {TABLE} ORDER BY first_seen, url LIMIT :n", {"n": int(limit)}))
