"""`ndrc-policy reparse` rebuilds the same documents the crawl stored, from stored pages alone.

A crawl of the site replica (in a subprocess, through the CLI), then `reparse` and `export` in
subprocesses with the replica stopped (so nothing can be fetched): the dumps are byte-identical to
the crawl's own, and no document gets a new version.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from replica import ReplicaServer, Site
from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT, assert_healthy, crawl, query

pytestmark = pytest.mark.slow


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
    )


def test_reparse_gives_the_database_the_crawl_gave(tmp_path):
    db, dumps = tmp_path / "ndrc.sqlite", tmp_path / "json"
    with ReplicaServer(Site(size=40, seed=3)) as server:
        run = crawl(server.base_url, db, dumps, cli=True)
    assert_healthy(run)
    crawled = (dumps / "documents.jsonl").read_bytes()
    versions_before = query(db, "SELECT id, version, content_sha256 FROM documents ORDER BY id")
    with_attachment_units = query(db, "SELECT count(*) FROM articles WHERE source LIKE 'attachment:%'")[0][0]
    assert with_attachment_units > 0  # the attachments really were read, so reparse must read them too

    again = cli("reparse", "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert "0 new" in again.stdout and "0 failed" in again.stdout

    out = tmp_path / "after"
    exported = cli("export", "--db", str(db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert (out / "documents.jsonl").read_bytes() == crawled
    assert query(db, "SELECT id, version, content_sha256 FROM documents ORDER BY id") == versions_before


def test_reparse_of_a_missing_database_is_one_line(tmp_path):
    result = cli("reparse", "--db", str(tmp_path / "nope.sqlite"))
    assert result.returncode != 0
    assert result.stderr.strip().startswith("Error: no database at")
    assert len(result.stderr.strip().splitlines()) == 1
