"""Crawl speed and memory of the full pipeline, measured on the loopback replica with politeness off.

1. Throughput: the full pipeline (`python -m crawler.run`: fetch, parse, store into a fresh SQLite
   file, JSON dumps) against a replica of `--size` documents, then a bare Scrapy spider (written
   below, run in its own subprocess) that fetches exactly the URLs the full run fetched, with the
   same concurrency, robots.txt off, no middlewares of ours and no pipelines, and does nothing with
   the answers. Pages/min of each (wall clock of the subprocess, start-up included on both sides)
   and the ratio full/bare; the goal is >= 0.6 (storing and parsing cost at most 40 % of the fetch rate).
   The replica renders pages (and PDF/OFD attachments) on demand and keeps only a few, which is
   slower than Scrapy fetches: an untimed first full crawl discovers the URLs and leaves every
   answer rendered in memory, so both timed runs measure the crawler, not the replica.
2. Memory: peak RSS (os.wait4 ru_maxrss of the child) of a full crawl of a 1,000-document replica
   and of a 10,000-document one; the goal is 10k/1k <= 1.3 (memory must not grow with the archive).

Usage: python bench/crawl_bench.py [--size 1000] [--skip-10k]
Exit status 0 when the goals measured hold, 1 otherwise (the numbers are printed either way).
Never run from the tests: it takes minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Politeness off, as tests/e2e/test_crawl_e2e.py does: the replica is on loopback and nobody's server.
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
    "NDRC_PROGRESS": "False",
    "LOG_LEVEL": "WARNING",
    # the replica links 解读 pages and attachments that answer 404, as the site does: recorded, no failure
    "NDRC_NEW_DEAD_LINKS_FAIL": "False",
}
# Goals the project holds itself to (see the module docstring for why each exists).
MIN_FULL_OVER_BARE = 0.6
MAX_RSS_10K_OVER_1K = 1.3
MEMORY_SIZES = (1000, 10000)
# Guards against a hung crawl only; a 10k-document crawl takes several minutes.
CRAWL_TIMEOUT = 3600
SEED = 0

# The bare side: one spider that requests every URL of a file once and throws the answers away.
# Same download settings as the full run (concurrency, delay, timeout, UA), nothing of the project.
BARE_SPIDER = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

urls_file, settings_json = sys.argv[1], sys.argv[2]
with open(urls_file, encoding="utf-8") as fh:
    URLS = [line.strip() for line in fh if line.strip()]

class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    async def start(self):
        for url in URLS:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None

process = CrawlerProcess({**json.loads(settings_json), "LOG_INSTALL_ROOT_HANDLER": True})
process.crawl(BareSpider)
process.start()
'''


def run_child(command: list[str], timeout: float = CRAWL_TIMEOUT) -> tuple[int, float, int, str]:
    """Run `command` to its end; (exit code, wall seconds, peak RSS in bytes, stderr tail)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting again
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return proc.returncode, seconds, rss, tail


def answer_without_nagle() -> None:
    """Make the replica's handlers send each answer at once (TCP_NODELAY), in this process only.

    The stdlib handler writes headers and body separately; with Nagle's algorithm on, every
    keep-alive answer then waits for the client's delayed ACK (about 40 ms on Linux), which caps
    both sides at the same rate and would make the ratio measure the socket, not the crawler.
    """
    import socketserver

    socketserver.StreamRequestHandler.disable_nagle_algorithm = True


def prerendered(site):
    """`site` answering every path from a cache that keeps all it rendered (the site never changes here)."""
    render, answers = site.resolve, {}

    def resolve(path):
        if path not in answers:
            answers[path] = render(path)
        return answers[path]

    site.resolve = resolve
    return site


def full_crawl(site, workdir: Path) -> tuple[int, float, int, list[tuple[str, str, int | None]], str]:
    """One full-pipeline crawl of the replica `site` into a fresh database."""
    from replica import ReplicaServer

    run_dir = Path(tempfile.mkdtemp(prefix=f"crawl{site.size}-", dir=workdir))
    with ReplicaServer(site) as server:
        command = [sys.executable, "-m", "crawler.run", "--base-url", server.base_url,
                   "--db", str(run_dir / "ndrc.sqlite"), "--json-dir", str(run_dir / "json")]
        for name, value in FAST.items():
            command += ["-s", f"{name}={value}"]
        code, seconds, rss, tail = run_child(command)
        requests = list(server.requests)
    return code, seconds, rss, requests, tail


def bare_crawl(site, paths: list[str], workdir: Path) -> tuple[int, float, list, str]:
    """Fetch `paths` from the replica `site` with the bare spider."""
    from replica import ReplicaServer
    from crawler.run import project_settings

    project = project_settings(FAST)
    settings = {
        "CONCURRENT_REQUESTS": project.getint("CONCURRENT_REQUESTS"),
        "CONCURRENT_REQUESTS_PER_DOMAIN": project.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
        "DOWNLOAD_DELAY": project.getfloat("DOWNLOAD_DELAY"),
        "DOWNLOAD_TIMEOUT": project.getint("DOWNLOAD_TIMEOUT"),
        "DOWNLOAD_MAXSIZE": project.getint("DOWNLOAD_MAXSIZE"),
        "USER_AGENT": project.get("USER_AGENT"),
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REDIRECT_ENABLED": False,  # the full run's redirect targets are in the list already
        "RETRY_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    }
    script = workdir / "bare_spider.py"
    script.write_text(BARE_SPIDER, encoding="utf-8")
    with ReplicaServer(site) as server:
        urls = workdir / "urls.txt"
        urls.write_text("".join(server.base_url + p + "\n" for p in paths), encoding="utf-8")
        code, seconds, _, tail = run_child([sys.executable, str(script), str(urls), json.dumps(settings)])
        requests = list(server.requests)
    return code, seconds, requests, tail


def mb(n: int) -> str:
    return f"{n / 2**20:8.1f} MB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000, help="documents in the throughput replica")
    parser.add_argument("--skip-10k", action="store_true", help="measure memory at 1,000 documents only")
    args = parser.parse_args(argv)
    if args.size < 1:
        print("Error: --size must be 1 or more", file=sys.stderr)
        return 2

    answer_without_nagle()
    ok = True
    with tempfile.TemporaryDirectory(prefix="crawl-bench-") as tmp:
        workdir = Path(tmp)
        from replica import Site

        print(f"throughput: replica of {args.size} documents, politeness off, answers pre-rendered",
              flush=True)
        site = prerendered(Site(size=args.size, seed=SEED))
        code, cold_s, cold_rss, cold_reqs, tail = full_crawl(site, workdir)  # discovery, untimed
        if code != 0:
            print(f"Error: the full crawl exited {code}:\n{tail}", file=sys.stderr)
            return 1
        code, full_s, full_rss, full_reqs, tail = full_crawl(site, workdir)
        if code != 0 or len(full_reqs) != len(cold_reqs):
            print(f"Error: the second full crawl exited {code} after {len(full_reqs)}/{len(cold_reqs)} "
                  f"requests:\n{tail}", file=sys.stderr)
            return 1
        paths = [path for method, path, _ in full_reqs if method == "GET"]
        code, bare_s, bare_reqs, tail = bare_crawl(site, paths, workdir)
        if code != 0 or len(bare_reqs) != len(paths):
            print(f"Error: the bare crawl exited {code} after {len(bare_reqs)}/{len(paths)} requests:\n{tail}",
                  file=sys.stderr)
            return 1
        full_rate, bare_rate = len(full_reqs) / full_s * 60, len(bare_reqs) / bare_s * 60
        ratio = full_rate / bare_rate
        ok &= ratio >= MIN_FULL_OVER_BARE
        print(f"  {'side':28} {'pages':>7} {'seconds':>8} {'pages/min':>10}")
        print(f"  {'full (fetch, parse, store)':28} {len(full_reqs):>7} {full_s:>8.1f} {full_rate:>10.0f}")
        print(f"  {'bare Scrapy (fetch only)':28} {len(bare_reqs):>7} {bare_s:>8.1f} {bare_rate:>10.0f}")
        print(f"  full/bare = {ratio:.2f}  (goal >= {MIN_FULL_OVER_BARE})  "
              f"{'OK' if ratio >= MIN_FULL_OVER_BARE else 'MISSED'}", flush=True)

        print("memory: peak RSS of a full crawl (its own subprocess)", flush=True)
        peaks = {}
        for size in MEMORY_SIZES:
            if size == 10000 and args.skip_10k:
                continue
            if size == args.size:
                peaks[size] = (cold_rss, cold_s, len(cold_reqs))
                continue
            code, seconds, rss, reqs, tail = full_crawl(Site(size=size, seed=SEED), workdir)
            if code != 0:
                print(f"Error: the {size}-document crawl exited {code}:\n{tail}", file=sys.stderr)
                return 1
            peaks[size] = (rss, seconds, len(reqs))
        print(f"  {'documents':>10} {'pages':>7} {'seconds':>8} {'peak RSS':>11}")
        for size, (rss, seconds, pages) in peaks.items():
            print(f"  {size:>10} {pages:>7} {seconds:>8.1f} {mb(rss):>11}")
        if len(peaks) == 2:
            grow = peaks[10000][0] / peaks[1000][0]
            ok &= grow <= MAX_RSS_10K_OVER_1K
            print(f"  10k/1k = {grow:.2f}  (goal <= {MAX_RSS_10K_OVER_1K})  "
                  f"{'OK' if grow <= MAX_RSS_10K_OVER_1K else 'MISSED'}")
        else:
            print("  10k/1k = skipped (--skip-10k): memory goal not checked")
    print("all goals measured hold" if ok else "a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
