"""What relations and validity cost: in a parse, and in a document write as the archive grows.

* parse: `parsers.relations.read_relations` over the real saved detail pages, against the
  whole `parsers.parse` of the same pages (the reader's share of a parse);
* write: `Store.upsert_document` of generated documents that each cite and repeal a few others
  (by 文号 and by title; one of the four is stored later), with the relations hook (resolution,
  waiting rows, validity) and without it, the two stores taking turns block by block as the
  tables grow. The with/without ratio of the last block against the first says whether the
  relations' cost grows with the archive (goal: flat, at most 1.5).

Prints ratios side by side; never asserted (timings depend on the machine and its load).

    python bench/relations_bench.py                  # 6,000 documents
    python bench/relations_bench.py --docs 2000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from output.db import Store  # noqa: E402
from parsers import parse  # noqa: E402
from parsers.model import Document  # noqa: E402
from parsers.relations import read_relations  # noqa: E402

PAGES = Path("/work/shared/fixtures/ndrc/pages")
TOPICS = ("煤电", "光伏", "储能", "价格", "物流", "粮食", "电力", "数字", "碳市场", "氢能")
GOAL_GROWTH = 1.5


def parse_share(rounds: int) -> tuple[float, float]:
    pages = [p.read_bytes() for p in sorted(PAGES.glob("*_t*.html"))]
    docs = [parse(b) for b in pages]
    t = time.perf_counter()
    for _ in range(rounds):
        for d in docs:
            read_relations(d.body_text, d.articles, [a.text for a in d.attachments],
                           own_doc_number=d.doc_number, own_title=d.title, category=d.category)
    reader = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(rounds):
        for b in pages:
            parse(b)
    full = time.perf_counter() - t
    n = rounds * len(pages)
    return reader / n, full / n


def documents(count: int, seed: int = 1) -> list[Document]:
    rng = random.Random(seed)

    def title(i: int) -> str:
        return f"关于推进{TOPICS[i % len(TOPICS)]}第{i}项工作的通知"

    out = []
    for i in range(1, count + 1):
        # three earlier documents and one later: every block of writes resolves and links alike
        named = [rng.randint(1, max(i - 1, 1)) for _ in range(3)] + [rng.randint(i + 1, count + 1)]
        named[1], named[3] = named[3], named[1]
        body = "根据" + "、".join(f"《{title(j)}》（发改价格〔2024〕{j}号）" for j in named[:2]) + "，制定本通知。"
        body += f"《{title(named[2])}》同时废止。《关于{rng.choice(TOPICS)}{rng.randint(1, 10**6)}的意见》停止执行。"
        text = f"{title(i)}\n{body}"
        doc = Document(
            id=f"bench-{i}", url=None, category="通知", title=title(i), doc_number=f"发改价格〔2024〕{i}号",
            doc_number_parts=None, publish_date="2024-05-06", written_date=None, effective_date=None,
            source=None, issuers=("国家发展改革委",), addressees=None, body_text=text, preamble=body,
            articles=(), attachments=(), interpretations=(), warnings=(), content_sha256=f"{i:064x}",
        )
        out.append(replace(doc, relations=read_relations(text, own_doc_number=doc.doc_number, own_title=doc.title)))
    return out


def write_blocks(docs: list[Document], blocks: int) -> tuple[list[float], list[float]]:
    """Seconds per document for each of `blocks` consecutive blocks of writes, with the
    relations hook and without it; the two stores take turns block by block, so load on the
    machine weighs on both alike."""
    with tempfile.TemporaryDirectory() as folder:
        stores = [Store(Path(folder) / "with.sqlite"), Store(Path(folder) / "without.sqlite")]
        stores[1]._refresh_relations = None
        for store in stores:
            store.group_commits(True)
        size = len(docs) // blocks
        out: tuple[list[float], list[float]] = ([], [])
        for b in range(blocks):
            for store, times in zip(stores, out):
                t = time.perf_counter()
                for doc in docs[b * size:(b + 1) * size]:
                    store.upsert_document(doc)
                store.commit()
                times.append((time.perf_counter() - t) / size)
        for store in stores:
            store.close()
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=6000)
    ap.add_argument("--blocks", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=100)
    args = ap.parse_args(argv)
    if PAGES.is_dir():
        reader, full = parse_share(args.rounds)
        print(f"parse: relation reader {reader * 1e6:.0f} us/page of a {full * 1e6:.0f} us parse"
              f" (share {reader / full:.2f})")
    docs = documents(args.docs)
    print(f"write: {args.docs} documents, {sum(len(d.relations) for d in docs)} relations")
    with_hook, without = write_blocks(docs, args.blocks)
    for b, (w, o) in enumerate(zip(with_hook, without), 1):
        print(f"  block {b}: {w * 1e3:.2f} ms/doc with relations, {o * 1e3:.2f} without (ratio {w / o:.1f})")
    # the with/without ratio (load weighs on both), median of the last third of the blocks
    # against the first third
    ratios = [w / o for w, o in zip(with_hook, without)]
    third = max(len(ratios) // 3, 1)
    growth = statistics.median(ratios[-third:]) / statistics.median(ratios[:third])
    print(f"growth of the relations' cost, last third / first: {growth:.2f}"
          f" ({'within' if growth <= GOAL_GROWTH else 'OVER'} the goal of {GOAL_GROWTH})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
