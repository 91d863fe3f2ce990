"""A page is known by its path on the site, whatever address it was fetched from.

The same replica crawled under a second base URL (another port, the first one gone: a site moved
to https, a mirror replaced) into the same database: the second run must fetch no known page,
change no document, never ask the old address, and end healthy. Before documents were known by
their path, that run fetched every page again, counted every document as updated, and asked the
old address for every stored document; with that address gone each of those requests went
through the retries and their back-off while holding a download slot, and the run sat there with
the run lock held (`NDRC_RETRY_BACKOFF` here is the project's default, as on a real run; the
subprocess timeout is the guard that fails the test instead of hanging it).
"""

from __future__ import annotations

import subprocess

import pytest

from crawler import exitcodes
from replica import ReplicaServer, Site
from test_crawl_e2e import ROOT, assert_healthy, crawl, crawl_command, documents, query

pytestmark = pytest.mark.slow

SIZE, SEED = 30, 5
CANONICAL = "https://www.ndrc.gov.cn"
COLUMNS = ("fzggwl", "ghxwj", "ghwb", "gg", "tz")
FIRST_PAGES = sorted(["/robots.txt", *(f"/xxgk/zcfb/{c}/index.html" for c in COLUMNS)])
# The project's own retry back-off (crawler/settings.py), not the tests' shortened one.
REAL_BACKOFF = {"NDRC_RETRY_BACKOFF": "2.0", "NDRC_RETRY_BACKOFF_MAX": "60.0"}
# Bounds the second crawl: an unchanged site costs a few seconds; the old behaviour ran for
# many minutes before it would end.
SECOND_RUN_TIMEOUT = 90


def test_a_second_base_url_fetches_nothing_known_and_never_the_old_address(tmp_path):
    db, out = tmp_path / "ndrc.sqlite", tmp_path / "json"
    with ReplicaServer(Site(size=SIZE, seed=SEED)) as first:
        assert_healthy(crawl(first.base_url, db, out))  # the replica's dead links are new to it
        old_base = first.base_url
    before = documents(db)
    assert before
    urls = [u for (u,) in query(db, "SELECT url FROM documents")]
    assert all(u.startswith(CANONICAL + "/") for u in urls)  # never the address fetched from
    assert all(u.startswith(old_base + "/") for (u,) in query(db, "SELECT url FROM pages"))

    with ReplicaServer(Site(size=SIZE, seed=SEED)) as second:
        try:
            run = subprocess.run(
                crawl_command(second.base_url, db, out, **REAL_BACKOFF),
                cwd=ROOT, capture_output=True, text=True, timeout=SECOND_RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"the crawl under a second base URL hung: {len(second.requests)} requests, "
                        f"{sum(1 for _, p, _ in second.requests if p not in FIRST_PAGES)} of known pages")
        assert run.returncode == exitcodes.OK, run.stderr[-3000:]
        assert sorted(path for _, path, _ in second.requests) == FIRST_PAGES
    assert documents(db) == before
    last = query(db, "SELECT base_url, documents_new, documents_updated FROM crawl_runs ORDER BY id DESC LIMIT 1")
    assert last == [(second.base_url, 0, 0)]
    assert "Connection was refused" not in run.stderr and old_base not in run.stderr
