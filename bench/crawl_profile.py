"""Where a crawl's CPU goes, per process: the crawl process (reactor) and the worker child.

Runs one full crawl of a fresh `--size`-document replica under py-spy (`py-spy record
--subprocesses --format raw`, sampling both processes) and sums the samples by stage: a sample
belongs to the first stage (in the order of STAGES) one of its frames matches. Idle time is not
sampled (py-spy samples running threads only), so the shares are of the CPU each process used.

Usage: python bench/crawl_profile.py [--size 1000] [--raw prof.txt]  (needs `pip install py-spy`)
       python bench/crawl_profile.py --read prof.txt                  (sum a recorded profile)
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# (stage, frame pattern), first match wins: the order puts the specific before the general.
STAGES = (
    ("pickling to/from the child", re.compile(r"\(crawler/child\.py:\d+\);.*(dumps|loads)|pickle|_pickle")),
    ("citations", re.compile(r"output/citations\.py")),
    ("search index", re.compile(r"output/search/")),
    ("export (JSON dumps)", re.compile(r"output/export\.py")),
    ("raw pages (zlib, sha256, SQL)", re.compile(r"save_page|touch_page|newest_sha256|page_validators")),
    ("document rows (SQL)", re.compile(r"upsert_document|_write_document|record_parse_failure|mark_withdrawn|withdraw \(")),
    ("commit", re.compile(r"\bcommit \(output/db\.py")),
    ("PDF/OFD text", re.compile(r"parsers/(pdf|ofd|layout)\.py")),
    ("decode bytes", re.compile(r"parsers/encoding\.py|decode_utf8_aware|parsers/sniff\.py")),
    ("lxml tree", re.compile(r"parse_html \(parsers/html_page")),
    ("page read (chrome, paragraphs)", re.compile(r"extract_detail|parsers/html_page\.py|parsers/rendering\.py")),
    ("list pages", re.compile(r"parsers/list_page\.py")),
    ("assembly (metadata, articles)", re.compile(r"assemble \(parsers/document|parsers/(metadata|articles|identifiers|numerals)\.py")),
    ("block detection", re.compile(r"parsers/blocking\.py|middlewares/blocking\.py")),
    ("Scrapy / Twisted / HTTP", re.compile(r"scrapy/|twisted/|h2/|http11")),
    ("start-up (imports)", re.compile(r"_find_and_load|<module>")),
)
OTHER = "other"


def read(path: Path) -> dict[str, collections.Counter]:
    """Samples per process (crawl, worker) and stage."""
    out: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        head = stack.split(";", 2)
        who = "worker child" if len(head) > 1 and "crawler.extensions.worker" in head[1] else "crawl process"
        stage = next((name for name, pattern in STAGES if pattern.search(stack)), OTHER)
        out[who][stage] += int(count)
    return out


def report(samples: dict[str, collections.Counter], rate: int) -> None:
    for who in ("crawl process", "worker child"):
        stages = samples.get(who, collections.Counter())
        total = sum(stages.values())
        print(f"{who}: {total / rate:.1f} s of CPU")
        for stage, n in stages.most_common():
            print(f"  {stage:34} {n / rate:7.2f} s  {100 * n / max(total, 1):5.1f} %")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=200, help="samples per second")
    parser.add_argument("--raw", type=Path, default=None, help="keep the raw profile here")
    parser.add_argument("--read", type=Path, default=None, help="only sum this recorded profile")
    args = parser.parse_args(argv)
    if args.read:
        report(read(args.read), args.rate)
        return 0
    if shutil.which("py-spy") is None:
        print("Error: py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 2
    from crawl_bench import FAST, SEED, answer_without_nagle, prerendered

    from replica import ReplicaServer, Site

    answer_without_nagle()
    with tempfile.TemporaryDirectory(prefix="crawl-profile-") as tmp, \
            ReplicaServer(prerendered(Site(size=args.size, seed=SEED))) as server:
        raw = args.raw or Path(tmp) / "profile.txt"
        command = ["py-spy", "record", "-r", str(args.rate), "--subprocesses", "--format", "raw",
                   "-o", str(raw), "--", sys.executable, "-m", "crawler.run", "--base-url", server.base_url,
                   "--db", f"{tmp}/ndrc.sqlite", "--json-dir", f"{tmp}/json"]
        for name, value in FAST.items():
            command += ["-s", f"{name}={value}"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"Error: the profiled crawl exited {done.returncode}:\n{done.stderr[-2000:]}", file=sys.stderr)
            return 1
        report(read(raw), args.rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
