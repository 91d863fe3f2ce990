"""`ndrc-policy status`: the last runs, the crawl's health, the dead links, the pages still failing.

`status_data(db_path, last)` gathers it (the `--json` object); `status_report(db_path, last)` gives
the text and the exit status: that of the newest run (0 when healthy or while a run is going on).

Pages still failing are the stored pages the parsers found no document in (`parse_failures`) and
that no document came from since: `ndrc-policy reparse` retries them after an upgrade.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from crawler import exitcodes

# Dead links and failing pages listed at most (the JSON holds as many).
LISTED = 20


class StatusError(ValueError):
    """The database cannot be read; `str()` is the one line shown."""


def _open(db_path):
    from output.db import Store, StoreError

    path = Path(db_path)
    if not path.is_file():
        raise StatusError(f"no database at {path}: run `ndrc-policy crawl --db {path}` first")
    try:
        return Store(path)
    except (StoreError, OSError) as err:
        raise StatusError(f"cannot open the database {path}: {err}") from None


def failing_pages(db, limit: int = LISTED) -> list[dict]:
    """The newest failure of each stored page that holds no document yet."""
    if "parse_failures" not in db.table_names():
        return []
    return list(db.query(
        """SELECT url, reason, max(at) AS at FROM parse_failures
           WHERE url NOT IN (SELECT url FROM documents WHERE url IS NOT NULL)
           GROUP BY url ORDER BY at DESC LIMIT :n""",
        {"n": int(limit)},
    ))


def status_data(db_path: str | os.PathLike, last: int = 10) -> dict:
    from output import deadlinks
    from output.db import StoreLocked

    store = _open(db_path)
    try:
        runs = store.last_runs(last)
        dead = deadlinks.report(store.db, limit=10_000)
        failing = failing_pages(store.db, limit=10_000)
        try:
            with store.lock():
                running = False
        except StoreLocked:
            running = True
    finally:
        store.close()
    code, health = _health(runs, running)
    return {"health": health, "exit_status": code, "running": running, "runs": runs,
            "dead_links": dead, "failing_pages": failing}


def _health(runs: list[dict], running: bool) -> tuple[int, str]:
    if not runs:
        return exitcodes.OK, "no crawl has run yet"
    newest = runs[0]
    if newest.get("finished_at") is None:
        if running:
            return exitcodes.OK, "a run is in progress"
        return exitcodes.PARTIAL_FAILURE, "unhealthy: the last run ended without recording its end (killed?)"
    code = int(newest.get("exit_status") if newest.get("exit_status") is not None else exitcodes.INTERNAL_ERROR)
    if code == exitcodes.OK:
        return code, "healthy"
    return code, f"unhealthy: the last run ended with {exitcodes.DESCRIPTIONS.get(code, code)}"


def status_report(db_path: str | os.PathLike, last: int = 10) -> tuple[str, int]:
    """The status as text; returns (text, exit status of the newest run)."""
    data = status_data(db_path, last)
    runs = data["runs"]
    if not runs:
        return f"{db_path}: no crawl has run yet", exitcodes.OK
    header = f"{'run':>4}  {'started (UTC)':20}  {'took':>7}  {'req':>6}  {'new':>5}  {'upd':>5}  {'wdr':>4}  {'fail':>4}  {'blk':>4}  status"
    lines = [header]
    for run in runs:
        took = _duration(run.get("started_at"), run.get("finished_at"))
        if run.get("finished_at") is None:
            state = "running" if data["running"] and run is runs[0] else "interrupted (no end recorded)"
        else:
            state = exitcodes.DESCRIPTIONS.get(run.get("exit_status"), f"exit {run.get('exit_status')}")
            if run.get("message") and run.get("exit_status") != exitcodes.OK:
                state += f": {run['message']}"
        lines.append(
            f"{run['id']:>4}  {run.get('started_at') or '':20}  {took:>7}  {run.get('requests') or 0:>6}  "
            f"{run.get('documents_new') or 0:>5}  {run.get('documents_updated') or 0:>5}  "
            f"{run.get('documents_withdrawn') or 0:>4}  {run.get('documents_failed') or 0:>4}  "
            f"{run.get('blocked') or 0:>4}  {state}"
        )
    lines.append(f"health: {data['health']}")
    lines += _dead_lines(data["dead_links"]) + _failing_lines(data["failing_pages"])
    return "\n".join(lines), data["exit_status"]


def _dead_lines(dead: list[dict]) -> list[str]:
    if not dead:
        return []
    out = [f"dead links: {len(dead)}, checked again 1, 2, 4… days apart (status, kind, first seen, last seen, next check, url)"]
    for row in dead[:LISTED]:
        origin = f"  (linked from {row['linked_from']})" if row.get("linked_from") else ""
        out.append(f"  {row.get('status')}  {row.get('kind'):<14}  {row.get('first_seen')}  {row.get('last_seen')}  "
                   f"{row.get('next_check')}  {row.get('url')}{origin}")
    if len(dead) > LISTED:
        out.append(f"  … and {len(dead) - LISTED} more (`ndrc-policy status --json` lists them all)")
    return out


def _failing_lines(failing: list[dict]) -> list[str]:
    if not failing:
        return []
    out = [f"pages still failing: {len(failing)} stored pages hold no document (`ndrc-policy reparse` retries them)"]
    for row in failing[:LISTED]:
        reason = (row.get("reason") or "").splitlines()[0] if row.get("reason") else ""
        out.append(f"  {row.get('at')}  {row.get('url')}  {reason}")
    if len(failing) > LISTED:
        out.append(f"  … and {len(failing) - LISTED} more")
    return out


def _duration(start: str | None, end: str | None) -> str:
    if not start or not end:
        return "-"
    try:
        seconds = (dt.datetime.fromisoformat(end.rstrip("Z")) - dt.datetime.fromisoformat(start.rstrip("Z"))).total_seconds()
    except ValueError:
        return "?"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
