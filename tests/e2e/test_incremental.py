"""Incremental, scheduled crawls against the replica: fetch only what is new, lose nothing, fail loudly.

Every test starts from the same first crawl (copied into its tmp_path) of a fresh replica with the
same seed, changes the site the way the real one changes, crawls again in a subprocess and checks
the database and the replica's request log: an unchanged site costs one list page per column, a
new notice is fetched alone, an edit becomes a new version, a removal a withdrawal; kill -9 in the
middle of a run and a rerun end with what an uninterrupted run stores; a second run at the same
time exits LOCKED.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from crawler import exitcodes
from replica import ReplicaServer, Site
from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT, assert_healthy, crawl, crawl_command, documents, policy_truths, query

pytestmark = pytest.mark.slow

SIZE, SEED = 40, 11
COLUMNS = ("fzggwl", "ghxwj", "ghwb", "gg", "tz")
FIRST_PAGES = {f"/xxgk/zcfb/{c}/index.html" for c in COLUMNS}
# Polling for a state another process reaches (documents stored, lock taken); not an assertion.
POLL_SECONDS, POLL_LIMIT = 0.02, 3000


@pytest.fixture(scope="module")
def server():
    with ReplicaServer(Site(size=SIZE, seed=SEED)) as srv:
        yield srv


@pytest.fixture(scope="module")
def baseline(server, tmp_path_factory):
    """A first crawl of the replica, done once for the module."""
    folder = tmp_path_factory.mktemp("baseline")
    run = crawl(server.base_url, folder / "ndrc.sqlite", folder / "json")
    assert_healthy(run)
    return folder / "ndrc.sqlite"


@pytest.fixture
def site(server, baseline, tmp_path):
    """A fresh replica with the baseline's content, and a copy of the baseline database."""
    fresh = Site(size=SIZE, seed=SEED)
    server.site = fresh
    server.set_mode("normal")
    server.delay = 0.0
    source, target = sqlite3.connect(baseline), sqlite3.connect(tmp_path / "ndrc.sqlite")
    with target:
        source.backup(target)
    source.close()
    target.close()
    server.reset_log()
    return fresh


def paths(server):
    return [path for _, path, _ in server.requests]


def test_an_unchanged_site_costs_one_list_page_per_column(server, site, tmp_path):
    db = tmp_path / "ndrc.sqlite"
    before = documents(db)
    run = crawl(server.base_url, db, tmp_path / "json", cli=True)
    assert run.returncode == exitcodes.OK, run.stderr[-3000:]
    assert sorted(paths(server)) == sorted(["/robots.txt", *FIRST_PAGES])
    assert documents(db) == before
    last = query(db, "SELECT requests, documents_new, documents_updated, exit_status FROM crawl_runs ORDER BY id DESC LIMIT 1")
    assert last == [(6, 0, 0, exitcodes.OK)]
    status = subprocess.run(
        [os.sys.executable, "-m", "crawler.cli", "status", "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
    )
    assert status.returncode == exitcodes.OK and "health: healthy" in status.stdout
    shown = status.stdout.strip().splitlines()
    assert shown.index("health: healthy") == 3  # header, two runs, health; then the baseline's dead links
    assert all(line.startswith(("dead links:", "  404 ")) for line in shown[4:])


def test_a_new_notice_is_fetched_alone(server, site, tmp_path):
    db = tmp_path / "ndrc.sqlite"
    before = documents(db)
    new_id = site.add_document("tz", interpretations=1)
    truth = site.truth(new_id, server.base_url)
    run = crawl(server.base_url, db, tmp_path / "json")
    assert run.returncode == exitcodes.OK, run.stderr[-3000:]
    after = documents(db)
    jd_ids = set(after) - set(before) - {truth["id"]}
    assert truth["id"] in after and after[truth["id"]][:2] == ("通知", "active")
    assert len(jd_ids) == 1 and after[jd_ids.pop()][0] == "解读"
    assert {k: v for k, v in after.items() if k in before} == before
    expected = {"/robots.txt", *FIRST_PAGES, truth["url"][len(server.base_url):]}
    expected |= {f["url"][len(server.base_url):] for f in truth["attachments"]}
    expected |= {j["url"][len(server.base_url):] for j in truth["interpretations"]}
    # the new notice pushed one entry to page 2, which is all known: paging stops there
    assert set(paths(server)) - expected <= {"/xxgk/zcfb/tz/index_1.html"}
    assert expected <= set(paths(server))
    assert query(db, "SELECT documents_new FROM crawl_runs ORDER BY id DESC LIMIT 1") == [(2,)]


def test_an_edited_recent_page_becomes_a_new_version(server, site, tmp_path):
    db = tmp_path / "ndrc.sqlite"
    newest = site.truth(site.column_ids("tz")[0], server.base_url)
    window = (dt.date.today() - dt.date.fromisoformat(newest["publish_date"])).days + 1
    site.edit_document(newest["page_id"])
    run = crawl(server.base_url, db, tmp_path / "json", NDRC_RECHECK_DAYS=window)
    assert run.returncode == exitcodes.OK, run.stderr[-3000:]
    assert query(db, "SELECT version, status FROM documents WHERE id = ?", (newest["id"],)) == [(2, "active")]
    versions = query(db, "SELECT version FROM document_versions WHERE document_id = ? ORDER BY version", (newest["id"],))
    assert versions == [(1,), (2,)]
    # the other recent pages were asked conditionally and answered 304
    rechecked = [r for r in server.requests if r[1] != newest["url"][len(server.base_url):] and "/t20" in r[1]]
    assert rechecked and all(status == 304 for _, _, status in rechecked)
    assert query(db, "SELECT documents_updated FROM crawl_runs ORDER BY id DESC LIMIT 1") == [(1,)]


def test_full_finds_an_edit_of_an_old_page(server, site, tmp_path):
    db = tmp_path / "ndrc.sqlite"
    oldest = site.truth(site.column_ids("ghxwj")[-1], server.base_url)
    site.edit_document(oldest["page_id"])
    run = crawl(server.base_url, db, tmp_path / "json", "--full")
    assert run.returncode == exitcodes.OK, run.stderr[-3000:]
    assert query(db, "SELECT version FROM documents WHERE id = ?", (oldest["id"],)) == [(2,)]
    changed = {k for k, v in documents(db).items() if v[3] != 1}
    assert changed == {oldest["id"]}


def test_a_removed_page_is_marked_withdrawn_and_kept(server, site, tmp_path):
    db = tmp_path / "ndrc.sqlite"
    gone = site.truth(site.column_ids("tz")[2], server.base_url)
    site.remove_document(gone["page_id"], status=410)
    run = crawl(server.base_url, db, tmp_path / "json")
    assert run.returncode == exitcodes.OK, run.stderr[-3000:]
    row = query(db, "SELECT status, withdrawn_date, title FROM documents WHERE id = ?", (gone["id"],))
    assert row == [("withdrawn", dt.date.today().isoformat(), gone["title"])]
    assert query(db, "SELECT documents_withdrawn FROM crawl_runs ORDER BY id DESC LIMIT 1") == [(1,)]
    assert sum(1 for p in paths(server) if "/t20" in p) == 1  # only the missing page was checked
    again = crawl(server.base_url, db, tmp_path / "json")
    assert again.returncode == exitcodes.OK
    assert query(db, "SELECT status, withdrawn_date FROM documents WHERE id = ?", (gone["id"],)) == [
        ("withdrawn", dt.date.today().isoformat())
    ]


def wait_for(condition):
    for _ in range(POLL_LIMIT):
        if condition():
            return True
        time.sleep(POLL_SECONDS)
    return False


def stored_count(db):
    try:
        return query(db, "SELECT count(*) FROM documents")[0][0]
    except sqlite3.Error:
        return 0


def snapshot(db):
    """What must be the same after an interrupted and an uninterrupted crawl."""
    return (
        documents(db),
        sorted(query(db, "SELECT document_id, position, url, sha256, size, text IS NOT NULL FROM attachments")),
        sorted(query(db, "SELECT document_id, position, url, interpretation_id FROM interpretations")),
        query(db, "SELECT count(*) FROM articles")[0][0],
    )


def test_kill_9_in_the_middle_then_a_rerun_ends_like_an_uninterrupted_run(server, site, tmp_path):
    server.delay = 0.03  # slow enough to be killed in the middle
    reference = tmp_path / "reference.sqlite"
    done = crawl(server.base_url, reference, tmp_path / "json-ref", CONCURRENT_REQUESTS_PER_DOMAIN=2)
    assert_healthy(done)
    db = tmp_path / "killed.sqlite"
    proc = subprocess.Popen(
        crawl_command(server.base_url, db, tmp_path / "json", CONCURRENT_REQUESTS_PER_DOMAIN=2),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: stored_count(db) >= 10 or proc.poll() is not None)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=SUBPROCESS_TIMEOUT)
    assert proc.returncode == -signal.SIGKILL
    # killed while running: its run has no end, and the database is intact
    assert query(db, "SELECT finished_at FROM crawl_runs") == [(None,)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert 10 <= stored_count(db) < len(documents(reference))
    server.delay = 0.0
    rerun = crawl(server.base_url, db, tmp_path / "json")
    assert_healthy(rerun)
    assert snapshot(db) == snapshot(reference)
    assert {t["id"] for t in policy_truths(site, server.base_url)} <= set(documents(db))


def test_a_second_run_at_the_same_time_exits_locked(server, site, tmp_path):
    server.delay = 0.03
    db = tmp_path / "ndrc.sqlite"
    first = subprocess.Popen(
        crawl_command(server.base_url, db, tmp_path / "json", "--full", CONCURRENT_REQUESTS_PER_DOMAIN=1),
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        lock = tmp_path / "ndrc.sqlite.lock"
        assert wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid))
        second = crawl(server.base_url, db, tmp_path / "json2", cli=True)
        assert second.returncode == exitcodes.LOCKED
        assert second.stderr.count("\n") == 1 and f"pid {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        _, err = first.communicate(timeout=SUBPROCESS_TIMEOUT)
    assert first.returncode == exitcodes.OK, err[-3000:]
    assert query(db, "SELECT count(*) FROM crawl_runs")[0][0] == 2  # the baseline's and the first's
