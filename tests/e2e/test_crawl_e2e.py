"""End to end: `python -m crawler.run` (and the `ndrc-policy crawl` CLI) in a subprocess against a
replica of the site started by the test, then the database and the JSON dumps against site.truth().

Faults: the whole site answering 412, a WAF page served with 200, robots.txt answered by the WAF
(exit BLOCKED, nothing stored as a document), a server dropping connections or answering 500 for a
while (retries with back-off, then healthy), a page that keeps failing (PARTIAL, completed by the
next run), and bad arguments (CONFIG_ERROR, one line, no traceback). Politeness is turned off
through `-s` overrides only; back-offs are cut to a few hundredths of a second.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import exitcodes
from crawler.history import DEAD_LINKS_ONLY
from replica import ReplicaServer, Site

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "NDRC_RETRY_BACKOFF": "0.05",
    "NDRC_RETRY_BACKOFF_MAX": "0.2",
    "NDRC_BLOCK_BACKOFF": "0.05",
    "NDRC_BLOCK_BACKOFF_MAX": "0.2",
    "NDRC_BLOCK_RETRIES": "2",
    "NDRC_RECHECK_DAYS": "0",
}
# A crawl of a small replica takes seconds; this only guards against a hung test run.
SUBPROCESS_TIMEOUT = 240
CANONICAL = "https://www.ndrc.gov.cn"


def crawl_command(base_url, db, json_dir, *args, cli=False, **settings):
    merged = {**FAST, **{k: str(v) for k, v in settings.items()}}
    head = [sys.executable, "-m", "crawler.cli", "crawl"] if cli else [sys.executable, "-m", "crawler.run"]
    command = [*head, "--base-url", base_url, "--db", str(db), "--json-dir", str(json_dir), *args]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return command


def crawl(base_url, db, json_dir, *args, cli=False, **settings) -> subprocess.CompletedProcess:
    """Run one crawl to its end in a subprocess; returns it with stdout/stderr as text."""
    return subprocess.run(
        crawl_command(base_url, db, json_dir, *args, cli=cli, **settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
    )


def query(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def documents(db) -> dict[str, tuple]:
    """id -> (category, status, content_sha256, version) of every stored document."""
    return {
        row[0]: tuple(row[1:])
        for row in query(db, "SELECT id, category, status, content_sha256, version FROM documents")
    }


def list_paths(server) -> list[str]:
    return [path for _, path, _ in server.requests if "/index" in path or path.endswith("/")]


def policy_truths(site, base_url):
    """site.truth() of every document still listed (not the 解读 pages)."""
    return [site.truth(i, base_url) for i in site.ids()]


SIZE = 40  # documents in the replica: 2 list pages in 通知, 1 in the others


@pytest.fixture
def replica():
    site = Site(size=SIZE, seed=7)
    with ReplicaServer(site) as server:
        yield site, server


def one_line(stderr: str) -> str:
    """The last line the run printed (its verdict) after checking no traceback was shown."""
    assert "Traceback" not in stderr
    return stderr.strip().splitlines()[-1]


def assert_healthy(run) -> None:
    """Exit 0, or 4 for dead links met for the first time and nothing else wrong.

    The replica, like the real site, links 解读 pages and attachments that answer 404: the run
    that first meets them says so (exit 4), later runs on the same site exit 0.
    """
    if run.returncode == exitcodes.PARTIAL_FAILURE:
        assert DEAD_LINKS_ONLY in one_line(run.stderr), run.stderr[-3000:]
    else:
        assert run.returncode == exitcodes.OK, run.stderr[-3000:]


def test_first_crawl_stores_what_the_site_holds(replica, tmp_path):
    site, server = replica
    db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
    run = crawl(server.base_url, db, out, cli=True)
    assert_healthy(run)
    base = server.base_url
    # documents carry the site's canonical address (NDRC_CANONICAL_BASE); pages the one fetched
    truths = policy_truths(site, CANONICAL)
    stored = {
        r[0]: r[1:]
        for r in query(db, "SELECT id, url, category, title, publish_date, status FROM documents")
    }
    # what the crawl decides (the parsers' own tests check 文号, issuers, articles)
    for truth in truths:
        assert stored[truth["id"]] == (
            truth["url"], truth["category"], truth["title"], truth["publish_date"], "active"
        ), truth["id"]
    # what the parsers read, over every template, encoding and box the replica serves
    dumped = {d["id"]: d for d in map(json.loads, (out / "documents.jsonl").read_text(encoding="utf-8").splitlines())}
    # the dump the crawl wrote validates against the JSON Schema published beside it
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads((out / "document.schema.json").read_text(encoding="utf-8")))
    for doc in dumped.values():
        validator.validate(doc)
    for truth in truths:
        doc = dumped[truth["id"]]
        got = {k: doc[k] for k in ("doc_number", "issuers", "written_date", "effective_date", "addressees")}
        want = {k: truth[k] for k in got}
        assert got == want, truth["id"]
        body_units = [a["label"] for a in doc["articles"] if a["source"] == "body"]
        assert body_units == truth["body_labels"], truth["id"]
        assert sum(a["source"] != "body" for a in doc["articles"]) == truth["articles_attachment"], truth["id"]
    # every 解读 page that exists is stored as a document of category 解读 and linked from its document
    policy_ids = {t["id"] for t in truths}
    links = [
        link
        for link in query(db, "SELECT document_id, url, interpretation_id FROM interpretations")
        if link[0] in policy_ids
    ]
    expected_links = {(t["id"], j["url"]) for t in truths for j in t["interpretations"]}
    assert {(d, u) for d, u, _ in links} == expected_links
    existing = {j["url"] for t in truths for j in t["interpretations"] if j["exists"]}
    assert {u for _, u, target in links if target} == existing
    jd = {r[0] for r in query(db, "SELECT url FROM documents WHERE category = '解读'")}
    assert jd == existing
    assert set(stored) == {t["id"] for t in truths} | {r[0] for r in query(db, "SELECT id FROM documents WHERE category = '解读'")}
    # attachments: every file that exists was fetched and stored raw, with hash and size; PDF/OFD read
    attachments = query(db, "SELECT document_id, url, file_type, sha256, size, text FROM attachments")
    by_url = {a[1]: a for a in attachments}
    files = [(t["id"], f) for t in truths for f in t["attachments"]]
    assert files and any(f["file_type"] in ("doc", "xls") for _, f in files)
    for doc_id, f in files:
        row = by_url[f["url"]]
        assert row[0] == doc_id and row[2] == f["file_type"]
        if f["exists"]:
            fetched = base + f["url"][len(CANONICAL):]
            raw = query(db, "SELECT sha256, size FROM pages WHERE url = ? AND status = 200", (fetched,))
            assert raw and (row[3], row[4]) == raw[0]
            if f["file_type"] == "pdf":
                assert row[5], f["url"]  # read; its parallel .ofd copy is read only if the PDF fails
    assert query(db, "SELECT count(*) FROM articles WHERE source LIKE 'attachment:%'")[0][0] > 0
    # every response was stored raw; nothing failed
    assert query(db, "SELECT count(*) FROM pages WHERE kind = 'list'")[0][0] == sum(
        site.page_count(c) for c in ("fzggwl", "ghxwj", "ghwb", "gg", "tz")
    )
    assert query(db, "SELECT count(*) FROM parse_failures")[0][0] == 0
    # the run is recorded
    (run_row,) = query(db, "SELECT requests, documents_new, documents_failed, blocked, exit_status, finished_at FROM crawl_runs")
    assert run_row[0] == len(server.requests) and run_row[1] == len(stored)
    assert run_row[2:5] == (0, 0, run.returncode) and run_row[5]
    # the dumps: one line per stored document, the same content
    lines = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {d["id"] for d in lines} == set(stored)
    assert all(d["content_sha256"] == documents(db)[d["id"]][2] for d in lines)
    # progress an operator can follow: a line per column, a closing summary
    for column in ("fzggwl", "ghxwj", "ghwb", "gg", "tz"):
        assert f"[{column}] done:" in run.stderr
    assert f"documents new {len(stored)}" in run.stderr
    verdict = one_line(run.stderr)
    assert verdict.endswith("healthy") or DEAD_LINKS_ONLY in verdict
    # robots.txt was asked for, and the User-Agent names the project
    assert server.requests[0][1] == "/robots.txt"


@pytest.mark.parametrize("mode", ["block412", "block521", "waf200", "empty200"])
def test_a_blocking_site_stops_the_run_and_nothing_is_stored_as_a_document(replica, tmp_path, mode):
    site, server = replica
    server.set_mode(mode)
    db = tmp_path / "ndrc.sqlite"
    run = crawl(server.base_url, db, tmp_path / "json", ROBOTSTXT_OBEY="False")
    assert run.returncode == exitcodes.BLOCKED, run.stderr[-3000:]
    verdict = one_line(run.stderr)
    assert "blocked by the site at " + server.base_url in verdict and "blocked responses" in verdict
    assert query(db, "SELECT count(*) FROM documents")[0][0] == 0
    assert query(db, "SELECT count(*) FROM pages")[0][0] == 0  # block pages are never cached
    (row,) = query(db, "SELECT exit_status, blocked, message FROM crawl_runs")
    # stopped early: each of the 5 first list pages answered at most 3 times (2 retries), nothing more
    assert row[0] == exitcodes.BLOCKED and 3 <= row[1] == len(server.requests) <= 3 * 5
    assert {path for _, path, _ in server.requests} <= {f"/xxgk/zcfb/{c}/index.html" for c in ("fzggwl", "ghxwj", "ghwb", "gg", "tz")}


def test_robots_txt_answered_by_the_waf_is_not_believed(replica, tmp_path):
    site, server = replica
    server.set_mode("robots_blocked")
    db = tmp_path / "ndrc.sqlite"
    run = crawl(server.base_url, db, tmp_path / "json")
    assert run.returncode == exitcodes.BLOCKED, run.stderr[-3000:]
    assert "robots.txt" in one_line(run.stderr)
    assert query(db, "SELECT count(*) FROM documents")[0][0] == 0
    assert {path for _, path, _ in server.requests} == {"/robots.txt"}


@pytest.mark.parametrize("mode", ["error500", "drop"])
def test_a_server_failing_for_a_while_is_retried_and_the_run_ends_healthy(replica, tmp_path, mode):
    site, server = replica
    server.set_mode(mode, count=4)
    db = tmp_path / "ndrc.sqlite"
    run = crawl(server.base_url, db, tmp_path / "json", ROBOTSTXT_OBEY="False")
    assert_healthy(run)
    failed = [r for r in server.requests if r[2] is None or r[2] >= 500]
    assert len(failed) == 4
    assert {t["id"] for t in policy_truths(site, server.base_url)} <= set(documents(db))


def test_a_page_that_keeps_failing_gives_partial_then_the_next_run_completes(replica, tmp_path):
    site, server = replica
    truth = site.truth(site.column_ids("tz")[3], server.base_url)
    path = truth["url"][len(server.base_url):]
    server.set_mode("error500", paths=[path])
    db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
    run = crawl(server.base_url, db, out, ROBOTSTXT_OBEY="False")
    assert run.returncode == exitcodes.PARTIAL_FAILURE, run.stderr[-3000:]
    assert "1 documents failed" in one_line(run.stderr)
    assert sum(1 for _, p, _ in server.requests if p == path) == 4  # first try and 3 retries
    assert truth["id"] not in documents(db)
    server.set_mode("normal")
    again = crawl(server.base_url, db, out, ROBOTSTXT_OBEY="False")
    assert_healthy(again)
    assert {t["id"] for t in policy_truths(site, server.base_url)} <= set(documents(db))


def test_bad_arguments_are_one_line_config_errors(tmp_path):
    cases = [
        (["--base-url", "ftp://example"], "base URL"),
        (["--columns", "tz,nope"], "unknown column nope"),
    ]
    for args, words in cases:
        run = subprocess.run(
            [sys.executable, "-m", "crawler.run", "--db", str(tmp_path / "x.sqlite"), "--json-dir",
             str(tmp_path / "j"), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
        )
        assert run.returncode == exitcodes.CONFIG_ERROR
        assert run.stderr.count("\n") == 1 and words in run.stderr and "Traceback" not in run.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    run = subprocess.run(
        [sys.executable, "-m", "crawler.run", "--base-url", "http://127.0.0.1:9", "--db",
         str(blocker / "db.sqlite"), "--json-dir", str(tmp_path / "j")],
        cwd=ROOT, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT,
    )
    assert run.returncode == exitcodes.CONFIG_ERROR
    assert run.stderr.startswith("Error: cannot create the database folder") and run.stderr.count("\n") == 1
