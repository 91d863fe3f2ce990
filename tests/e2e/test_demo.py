"""The README's offline demo: `ndrc-policy demo` works, and works again when run a second time."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT

pytestmark = pytest.mark.slow


def test_demo_runs_healthy_twice_in_a_row(tmp_path):
    db = tmp_path / "demo.sqlite"
    for _ in range(2):  # the second run once re-checked the first run's (dead) replica for minutes
        run = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "demo", "--size", "25", "--db", str(db), "--json-dir", str(tmp_path / "json")],
            cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
        )
        assert run.returncode == 0, run.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0] == 1  # a fresh database
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] >= 25
    assert (tmp_path / "json" / "documents.jsonl").stat().st_size > 0
