"""Differential run: the same replica crawled by an older revision and by this tree, compared.

Both crawls fetch the same replica (same seed, same server, so the same addresses) into fresh
databases and write their JSON dumps. Then every table and the dumps are compared, row by row,
after two normalisations and nothing else:

- times (when a page was fetched, a document first seen, a run started) differ between any two
  runs and are left out;
- the older revision wrote documents on the address they were fetched from; this one writes them
  on the canonical address (NDRC_CANONICAL_BASE): the older side's replica address is replaced by
  the canonical one before comparing (only in documents' own URLs and JSON, never in `pages`).

Usage: python bench/differential.py [--old REV] [--size 200] [--seed 0]
Exit status 0 when the two are identical, 1 when they differ (the differences are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl_bench import FAST, answer_without_nagle, prerendered  # noqa: E402

CANONICAL = "https://www.ndrc.gov.cn"
# Columns that hold a time: different in every run, left out of the comparison.
TIME_COLUMNS = {"fetched_at", "last_checked", "first_seen", "last_seen", "updated_at", "at",
                "started_at", "finished_at"}
# Columns holding a document's own addresses (and its JSON), which the older side wrote on the
# fetched address: (table, column).
URL_COLUMNS = {("documents", "url"), ("attachments", "url"), ("interpretations", "url"),
               ("document_versions", "document_json")}
# Rows that say how a run went, not what it stored.
SKIPPED_TABLES = {"crawl_runs"}
CRAWL_TIMEOUT = 1800


def crawl(tree: Path, base_url: str, folder: Path) -> float:
    """One crawl with the code of `tree`; the CPU seconds it used (its worker child included)."""
    command = [sys.executable, "-m", "crawler.run", "--base-url", base_url,
               "--db", str(folder / "ndrc.sqlite"), "--json-dir", str(folder / "json")]
    for name, value in FAST.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if code != 0:
            err.seek(0)
            sys.exit(f"Error: the crawl in {tree} exited {code}:\n{err.read().decode()[-2000:]}")
    return usage.ru_utime + usage.ru_stime


def tables(db: Path) -> dict[str, list[tuple]]:
    """Every table but the full-text index's own storage: its columns' rows, sorted."""
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'search_%'")]
        out = {}
        for name in sorted(set(names) - SKIPPED_TABLES):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
            kept = [c for c in columns if c not in TIME_COLUMNS and not (name == "pages" and c == "id")]
            rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in kept)} FROM [{name}]").fetchall()
            out[name] = (kept, rows)
        return out
    finally:
        conn.close()


def rebased(value, old_base: str):
    if isinstance(value, str):
        return value.replace(old_base + "/", CANONICAL + "/")
    return value


def normalised(found: dict, old_base: str | None) -> dict[str, list[tuple]]:
    out = {}
    for name, (columns, rows) in found.items():
        keep = [(i, (name, c) in URL_COLUMNS) for i, c in enumerate(columns)]
        if name == "pages":
            keep = [(i, False) for i, _ in keep]
        out[name] = sorted(
            tuple(rebased(row[i], old_base) if move and old_base else row[i] for i, move in keep)
            for row in rows
        )
    return out


def dump_lines(folder: Path, old_base: str | None) -> list[str]:
    text = (folder / "json" / "documents.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    if old_base:
        lines = [rebased(line, old_base) for line in lines]
    # the dump is sorted by id; ids do not depend on the address for detail pages
    return sorted(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=None,
                        help="git revision of the older side (default: where this branch left main)")
    parser.add_argument("--size", type=int, default=200, help="documents in the replica")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from replica import ReplicaServer, Site

    if args.old is None:
        args.old = subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout.strip()
    print(f"older side: {args.old}", flush=True)
    answer_without_nagle()
    with tempfile.TemporaryDirectory(prefix="differential-") as tmp:
        work = Path(tmp)
        old_tree = work / "old-tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old_tree), args.old], cwd=ROOT, check=True)
        try:
            with ReplicaServer(prerendered(Site(size=args.size, seed=args.seed))) as server:
                for side, tree in (("old", old_tree), ("new", ROOT)):
                    (work / side).mkdir()
                    cpu = crawl(tree, server.base_url, work / side)
                    # one run each, the first also renders the replica's pages: a rough figure
                    print(f"crawled the replica ({args.size} documents) with the {side} side: "
                          f"{cpu:.1f} s of CPU", flush=True)
                base = server.base_url
            old = normalised(tables(work / "old" / "ndrc.sqlite"), base)
            new = normalised(tables(work / "new" / "ndrc.sqlite"), None)
            differences = 0
            for name in sorted(set(old) | set(new)):
                a, b = old.get(name), new.get(name)
                if a == b:
                    print(f"  {name:20} {len(a or []):6} rows  identical")
                    continue
                differences += 1
                only_old = sorted(set(a or []) - set(b or []))
                only_new = sorted(set(b or []) - set(a or []))
                print(f"  {name:20} DIFFERS: {len(only_old)} rows only before, {len(only_new)} only after")
                for row in only_old[:3]:
                    print(f"      before: {str(row)[:300]}")
                for row in only_new[:3]:
                    print(f"      after:  {str(row)[:300]}")
            a, b = dump_lines(work / "old", base), dump_lines(work / "new", None)
            if a == b:
                print(f"  {'documents.jsonl':20} {len(a):6} lines identical")
            else:
                differences += 1
                print(f"  documents.jsonl DIFFERS: {len(set(a) - set(b))} lines only before, "
                      f"{len(set(b) - set(a))} only after")
                for line in sorted(set(a) - set(b))[:2]:
                    print(f"      before: {json.loads(line)['id']} {line[:300]}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT, check=False)
    print("identical apart from the canonical addresses" if not differences else f"{differences} differences")
    return 0 if not differences else 1


if __name__ == "__main__":
    sys.exit(main())
