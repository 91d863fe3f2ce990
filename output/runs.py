"""Crawl runs (table `crawl_runs`): one row per crawl, opened when it starts, closed with its figures.

Writes run inside the caller's transaction (`output.db.Store` opens it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils

# The figures a crawl run may record (columns of crawl_runs besides the ones start_run fills).
RUN_FIGURES = (
    "requests",
    "documents_new",
    "documents_updated",
    "documents_withdrawn",
    "documents_failed",
    "blocked",
    "exit_status",
    "message",
)


def start_run(
    db: sqlite_utils.Database, base_url: str, columns: Sequence[str] | str | None, full: bool, at: str
) -> int:
    """Open a crawl_runs row started `at`; returns its id for `finish_run`."""
    if isinstance(columns, str):
        columns = [c for c in columns.split(",") if c]
    cursor = db.execute(
        "INSERT INTO crawl_runs (started_at, base_url, columns, full) VALUES (?,?,?,?)",
        (at, base_url, json.dumps(list(columns or []), ensure_ascii=False), int(bool(full))),
    )
    return cursor.lastrowid


def check_figures(figures: dict[str, Any]) -> None:
    """ValueError naming the figures that are not RUN_FIGURES columns."""
    unknown = sorted(set(figures) - set(RUN_FIGURES))
    if unknown:
        raise ValueError(f"unknown crawl run figures {unknown}; known: {', '.join(RUN_FIGURES)}")


def finish_run(db: sqlite_utils.Database, run_id: int, finished_at: str, figures: dict[str, Any]) -> bool:
    """Close crawl run `run_id` with its (checked) figures; False when there is no such run."""
    values = {"finished_at": finished_at, **figures}
    cursor = db.execute(
        f"UPDATE crawl_runs SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
        (*values.values(), run_id),
    )
    return cursor.rowcount > 0


def last_runs(db: sqlite_utils.Database, n: int = 10) -> list[dict[str, Any]]:
    """The newest `n` crawl runs, newest first, as dicts (columns decoded from JSON)."""
    rows = list(db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT :n", {"n": int(n)}))
    for row in rows:
        try:
            row["columns"] = json.loads(row["columns"]) if row["columns"] else []
        except ValueError:
            pass
        row["full"] = bool(row["full"])
    return rows
