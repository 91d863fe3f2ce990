"""What `ndrc-policy demo` says at its end: what landed in the demo database, and what to try next."""

from __future__ import annotations

import sqlite3


def landed_lines(db_path: str, columns: dict[str, str]) -> list[str]:
    """Documents per column, 解读 pages, attachments read, dead links; then the next commands."""
    conn = sqlite3.connect(db_path)
    try:
        per_category = dict(conn.execute("SELECT category, count(*) FROM documents GROUP BY category"))
        attachments, read = conn.execute("SELECT count(*), count(text) FROM attachments").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        dead = conn.execute("SELECT count(*) FROM dead_links").fetchone()[0] if "dead_links" in tables else 0
    finally:
        conn.close()
    kinds = ", ".join(f"{name} {per_category.get(name, 0)}" for name in columns.values())
    lines = [
        f"landed in {db_path}: {kinds}; 解读 pages {per_category.get('解读', 0)}; "
        f"attachments read {read} of {attachments}"
        + (f"; {dead} dead links recorded (the replica has some, as the real site does)" if dead else ""),
        f'next: ndrc-policy search "绿色 低碳" --db {db_path}',
        f"      ndrc-policy serve --db {db_path}      # browse it in Datasette",
        f"      ndrc-policy status --db {db_path}     # the run, its dead links",
    ]
    return lines
