"""What an operator sees and gets, end to end: `ndrc-policy crawl` in a subprocess against the replica.

- default output: a few lines (≤ 15 for a 2-column crawl, ≤ 8 when nothing is new), no Python
  warning anywhere (terminal or log), Scrapy's log in the run's log file; `--json` is one object;
- an unreachable site: exit 6 and one line naming host and reason, recorded in crawl_runs;
- bad settings and paths: exit 2, one `Error:` line, nothing fetched;
- a listed page answering 404: a dead link, exit 4 on the run that first meets it, then not asked
  again the same day, asked again the next day (a settable clock, NDRC_TODAY), exit 0;
- a site holding its connections open: the run ends through the stall watch;
- SIGTERM to the run's process group: every document whose pages were all fetched is stored,
  exit 4; a second signal stops at once with the database intact;
- `serve` says its address on its first line.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler import exitcodes
from crawler.history import DEAD_LINKS_ONLY
from replica import ReplicaServer, Site
from test_crawl_e2e import ROOT, SUBPROCESS_TIMEOUT, crawl, crawl_command, documents, one_line, query

pytestmark = pytest.mark.slow

COLUMNS = "tz,gg"
# What the issue allows at default verbosity.
MAX_LINES_TWO_COLUMNS, MAX_LINES_NOTHING_NEW = 15, 8
POLL_SECONDS = 0.02


def lines(run) -> list[str]:
    return (run.stdout + run.stderr).splitlines()


def log_file_of(run) -> Path:
    match = re.search(r"; log (\S+\.log)", run.stderr)
    assert match, run.stderr
    path = Path(match.group(1))
    return path if path.is_absolute() else ROOT / path


@pytest.fixture
def replica():
    site = Site(size=40, seed=7)
    with ReplicaServer(site) as server:
        yield site, server


def test_default_output_is_short_and_warning_free_and_json_parses(replica, tmp_path):
    site, server = replica
    db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
    first = crawl(server.base_url, db, out, "--columns", COLUMNS, cli=True)
    assert first.returncode in (exitcodes.OK, exitcodes.PARTIAL_FAILURE), first.stderr[-3000:]
    shown = lines(first)
    assert 4 <= len(shown) <= MAX_LINES_TWO_COLUMNS, shown
    assert shown[0].startswith(f"ndrc-policy crawl: {server.base_url}, columns tz, gg; incremental")
    assert "[tz] done:" in first.stderr and "[gg] done:" in first.stderr
    assert "Warning" not in first.stdout + first.stderr and "Traceback" not in first.stderr
    # Scrapy's log went to the file named on the closing lines, without a Python warning either
    log = log_file_of(first).read_text(encoding="utf-8")
    assert "Scrapy" in log and "Dumping Scrapy stats" in log and "Warning" not in log
    assert "Dumping Scrapy stats" not in first.stderr
    again = crawl(server.base_url, db, out, "--columns", COLUMNS, cli=True)
    assert again.returncode == exitcodes.OK, again.stderr[-3000:]
    assert len(lines(again)) <= MAX_LINES_NOTHING_NEW, lines(again)
    assert one_line(again.stderr) == "ndrc-policy crawl: healthy"
    as_json = crawl(server.base_url, db, out, "--columns", COLUMNS, "--json", cli=True)
    assert as_json.returncode == exitcodes.OK and as_json.stderr == ""
    summary = json.loads(as_json.stdout)
    assert summary["exit_status"] == 0 and summary["status"] == "healthy"
    assert summary["list_pages"] == {"tz": 1, "gg": 1} and summary["documents"]["new"] == 0
    assert summary["run_id"] == query(db, "SELECT max(id) FROM crawl_runs")[0][0]
    quiet = crawl(server.base_url, db, out, "--columns", COLUMNS, "--quiet", cli=True)
    assert quiet.returncode == exitcodes.OK and len(lines(quiet)) == 2 and quiet.stdout == ""


def free_port() -> int:
    """A port nothing listens on (bound once, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_site_is_exit_6_and_one_line(tmp_path):
    port = free_port()
    db = tmp_path / "ndrc.sqlite"
    run = crawl(f"http://127.0.0.1:{port}", db, tmp_path / "json", cli=True)
    assert run.returncode == exitcodes.UNREACHABLE, run.stderr[-3000:]
    assert run.stdout == "" and len(run.stderr.splitlines()) == 1, run.stderr
    line = run.stderr.strip()
    assert f"cannot reach 127.0.0.1:{port}: connection refused" in line and "ndrc-policy demo" in line
    assert "Error" not in line and "Traceback" not in line
    assert query(db, "SELECT exit_status, message FROM crawl_runs") == [(exitcodes.UNREACHABLE, line.split(": ", 2)[2])]


def test_a_site_that_never_answers_is_unreachable_after_short_timeouts(replica, tmp_path):
    site, server = replica
    server.set_mode("hold")
    run = crawl(server.base_url, tmp_path / "ndrc.sqlite", tmp_path / "json", cli=True,
                NDRC_FIRST_CONTACT_TIMEOUT="0.5", RETRY_TIMES="1")
    assert run.returncode == exitcodes.UNREACHABLE, run.stderr[-3000:]
    assert len(run.stderr.splitlines()) == 1 and "no answer within 0.5 s (2 tries)" in run.stderr
    assert [path for _, path, _ in server.requests] == ["/robots.txt", "/robots.txt"]  # not every column


@pytest.mark.parametrize("setting, words", [
    ("DOWNLOAD_DELAY=abc", "-s DOWNLOAD_DELAY=abc: expected a number"),
    ("NDRC_RECHECK_DAY=3", "no such ndrc-policy setting; did you mean NDRC_RECHECK_DAYS?"),
    ("RETRY_TIMES=-1", "must not be negative"),
    ("NDRC_TODAY=tomorrow", "expected a date"),
])
def test_a_bad_setting_is_exit_2_one_line_and_nothing_fetched(replica, tmp_path, setting, words):
    site, server = replica
    run = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", server.base_url, "--db", str(tmp_path / "x.sqlite"),
         "--json-dir", str(tmp_path / "json"), "-s", setting],
        cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
    )
    assert run.returncode == exitcodes.CONFIG_ERROR
    assert run.stdout == "" and run.stderr.count("\n") == 1 and run.stderr.startswith("Error: ")
    assert words in run.stderr and "Traceback" not in run.stderr
    assert server.requests == [] and not (tmp_path / "x.sqlite").exists()


def test_unwritable_paths_and_usage_errors_are_exit_2_and_one_line(replica, tmp_path):
    site, server = replica
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cases = [
        (["--db", str(blocker / "db.sqlite")], "cannot create the database folder"),
        (["--json-dir", str(blocker / "json")], "cannot create the JSON folder"),
        (["--log-file", str(blocker / "crawl.log")], "cannot write the log file"),
        (["--log-file", str(tmp_path)], "is a directory"),
        (["--max-pages", "zero"], "crawl --help`)"),
        (["--no-such-option"], "No such option"),
    ]
    for args, words in cases:
        command = [sys.executable, "-m", "crawler.cli", "crawl", "--base-url", server.base_url,
                   "--db", str(tmp_path / "x.sqlite"), "--json-dir", str(tmp_path / "json"), *args]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
        assert run.returncode == exitcodes.CONFIG_ERROR, (args, run.stderr)
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("Error: ") and words in run.stderr, run.stderr
    assert server.requests == []


def test_a_listed_404_is_a_dead_link_retried_the_next_day_not_the_same_day(replica, tmp_path):
    site, server = replica
    dead = site.truth(site.column_ids("gg")[0], server.base_url)
    path = dead["url"][len(server.base_url):]
    server.set_mode("notfound", paths=[path])
    db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
    day = "2026-12-01"

    def run_on(today, *args):
        server.reset_log()
        return crawl(server.base_url, db, out, "--columns", COLUMNS, *args, cli=True, NDRC_TODAY=today)

    first = run_on(day)
    assert first.returncode == exitcodes.PARTIAL_FAILURE and DEAD_LINKS_ONLY in one_line(first.stderr)
    assert dead["id"] not in documents(db)
    assert query(db, "SELECT kind, listed_in, status, first_seen, last_seen, next_check FROM dead_links WHERE url = ?",
                 (dead["url"],)) == [("detail", "gg", 404, day, day, "2026-12-02")]
    # the same day: not asked again, counted as known (one list page per column), healthy
    same_day = run_on(day)
    assert same_day.returncode == exitcodes.OK, same_day.stderr[-3000:]
    assert sorted(p for _, p, _ in server.requests) == sorted(
        ["/robots.txt", "/xxgk/zcfb/tz/index.html", "/xxgk/zcfb/gg/index.html"])
    # the next day: asked once more, still dead, healthy; then not before two days later
    next_day = run_on("2026-12-02")
    assert next_day.returncode == exitcodes.OK, next_day.stderr[-3000:]
    assert [p for _, p, _ in server.requests].count(path) == 1
    assert sum("/index" in p for _, p, _ in server.requests) == 2
    assert query(db, "SELECT first_seen, last_seen, checks, next_check FROM dead_links WHERE url = ?",
                 (dead["url"],)) == [(day, "2026-12-02", 2, "2026-12-04")]
    assert run_on("2026-12-03").returncode == exitcodes.OK
    assert path not in [p for _, p, _ in server.requests]
    # `status` lists it, as text and as JSON
    status = subprocess.run([sys.executable, "-m", "crawler.cli", "status", "--db", str(db), "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
    assert status.returncode == exitcodes.OK
    assert dead["url"] in {row["url"] for row in json.loads(status.stdout)["dead_links"]}
    # once it answers, it is stored like any page and leaves the table
    server.set_mode("normal")
    revived = run_on("2026-12-04")
    assert revived.returncode == exitcodes.OK, revived.stderr[-3000:]
    assert dead["id"] in documents(db)
    assert query(db, "SELECT count(*) FROM dead_links WHERE url = ?", (dead["url"],)) == [(0,)]


def test_a_site_holding_its_connections_open_ends_through_the_stall_watch(replica, tmp_path):
    site, server = replica
    server.set_mode("hold", paths=["/xxgk/zcfb/tz/2*"])  # the list pages answer, the notices never do
    db = tmp_path / "ndrc.sqlite"
    # without the watch this run would wait DOWNLOAD_TIMEOUT (600 s) per try: past the subprocess timeout
    run = crawl(server.base_url, db, tmp_path / "json", "--columns", COLUMNS, cli=True,
                NDRC_STALL_TIMEOUT="2", DOWNLOAD_TIMEOUT="600")
    assert run.returncode == exitcodes.PARTIAL_FAILURE, run.stderr[-3000:]
    verdict = one_line(run.stderr)
    assert "stalled: no answer from the site and no document stored for 2 s; waiting on " in verdict
    assert "writes to the database were lost" not in verdict
    assert query(db, "SELECT exit_status FROM crawl_runs") == [(exitcodes.PARTIAL_FAILURE,)]
    assert len(lines(run)) <= MAX_LINES_TWO_COLUMNS


def fetched_whole(truth, answered: set[str], base: str) -> bool:
    """Every page a document needs was answered: its page, its attachments, its 解读 pages."""
    urls = [truth["url"], *(f["url"] for f in truth["attachments"]), *(j["url"] for j in truth["interpretations"])]
    return all(u[len(base):] in answered for u in urls if u.startswith(base))


def start_in_own_group(server, db, json_dir):
    return subprocess.Popen(
        crawl_command(server.base_url, db, json_dir, cli=True, CONCURRENT_REQUESTS_PER_DOMAIN=4),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def wait_for_documents(db, proc, n: int) -> None:
    for _ in range(int(SUBPROCESS_TIMEOUT / POLL_SECONDS)):
        if proc.poll() is not None:
            return
        try:
            if query(db, "SELECT count(*) FROM documents")[0][0] >= n:
                return
        except sqlite3.Error:
            pass
        time.sleep(POLL_SECONDS)


def signalled_run(tmp_path, *signums):
    """A crawl of a slow replica in its own process group, sent `signums` once 5 documents are stored.

    Returns (site, db, stderr, exit status, the paths the replica answered, its base URL).
    """
    site = Site(size=80, seed=5)
    with ReplicaServer(site, delay=0.02) as server:
        db = tmp_path / "ndrc.sqlite"
        proc = start_in_own_group(server, db, tmp_path / "json")
        wait_for_documents(db, proc, 5)
        for signum in signums:  # the crawl and its worker child, as systemd and Ctrl-C do
            os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=SUBPROCESS_TIMEOUT)
        answered = {path for _, path, status in server.requests if status is not None}
        return site, db, err, proc.returncode, answered, server.base_url


def test_sigterm_to_the_process_group_keeps_every_document_fetched_whole(tmp_path):
    site, db, err, status, answered, base = signalled_run(tmp_path, signal.SIGTERM)
    assert status == exitcodes.PARTIAL_FAILURE, err[-3000:]
    assert "SIGTERM received: finishing the writes in flight" in err
    verdict = one_line(err)
    assert "stopped by SIGTERM" in verdict and "writes to the database were lost" not in verdict
    stored = set(documents(db))
    truths = [site.truth(i, base) for i in site.ids()]
    whole = [t["id"] for t in truths if fetched_whole(t, answered, base)]
    assert whole and set(whole) <= stored
    listed = {t["id"] for t in truths}  # the column documents (stored also holds their 解读 pages)
    assert stored & listed < listed  # it really stopped in the middle
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT exit_status FROM crawl_runs") == [(exitcodes.PARTIAL_FAILURE,)]


def test_a_second_signal_stops_at_once_with_the_database_intact(tmp_path):
    site, db, err, status, answered, base = signalled_run(tmp_path, signal.SIGTERM, signal.SIGINT)
    assert status == exitcodes.PARTIAL_FAILURE, err[-3000:]
    assert "stopped at once by a second signal" in one_line(err)
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    (row,) = query(db, "SELECT exit_status, documents_new FROM crawl_runs")
    assert row == (exitcodes.PARTIAL_FAILURE, len(documents(db)))  # what was committed, counted from the database


def test_serve_says_its_address_on_its_first_line(replica, tmp_path):
    site, server = replica
    db = tmp_path / "ndrc.sqlite"
    crawl(server.base_url, db, tmp_path / "json", "--columns", "gg", cli=True)
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve", "--db", str(db), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        match = re.match(r"serving \S+ at (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops\)$", first.strip())
        assert match, first
        import urllib.request

        for _ in range(200):  # the address is said just before the server accepts: poll for it
            try:
                with urllib.request.urlopen(match.group(1) + "ndrc.json", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(f"nothing answers at {match.group(1)}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_an_unexpected_exception_is_one_error_line_naming_the_log(replica, tmp_path):
    site, server = replica
    # a component that is no class: Scrapy fails while building the crawler, inside the reactor
    run = crawl(server.base_url, tmp_path / "ndrc.sqlite", tmp_path / "json", "--columns", "gg", cli=True,
                DOWNLOADER_MIDDLEWARES='{"crawler.settings.BOT_NAME": 1}')
    assert run.returncode == exitcodes.INTERNAL_ERROR, run.stderr[-3000:]
    assert run.stdout == "" and run.stderr.count("\n") == 1 and run.stderr.startswith("Error: internal error: ")
    assert "Error:" not in run.stderr[len("Error: "):] and "AttributeError" not in run.stderr
    log = Path(re.search(r"the traceback is in (\S+\.log)\)", run.stderr).group(1))
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    assert query(tmp_path / "ndrc.sqlite", "SELECT exit_status FROM crawl_runs") == [(exitcodes.INTERNAL_ERROR,)]
