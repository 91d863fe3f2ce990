"""Search latency against a substring scan: one term of 1, 2, 3 and 6 characters, 2- and 3-term
AND queries and an OR query, in one run.

Builds a corpus of generated documents (Chinese policy sentences from the replica site's phrase
lists, `replica.phrases`; a built-in list when that is absent) in the project's schema
(`output.db.Store`), indexes it (`output.search.rebuild`), then times for each kind of query

* ``search``: `output.search.run(db, q, limit=20)`, the ranked documents with their best
  articles, snippets and the total count;
* ``scan``: `tests/search_scan.scan(db, q)`, the same query as one SQL WHERE of ``instr`` over
  the documents' title, body and attachments (the full set of matching documents, which is what
  answering exactly takes without an index).

Terms are substrings drawn at random positions of the corpus' article texts, so common
characters come up as often as a reader would meet them; the terms of an AND query come from
one article (so they meet), those of an OR query from two. Prints median and p95 per kind and
the ratio search/scan (goal: at most 0.2 for every kind), and checks that both found the same
number of documents. Never asserted: timings are machine dependent.

    python bench/search_bench.py                 # 10,000 documents
    python bench/search_bench.py --docs 2000 --queries 20 --db /tmp/bench.sqlite
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "tests"))

from output import search  # noqa: E402
from output.db import Store  # noqa: E402
from output.search.syntax import And, Or, Term  # noqa: E402
from search_scan import render, scan  # noqa: E402

# Kinds of query: (name, how many terms, characters per term, operator).
KINDS = (
    ("1 char", 1, 1, None), ("2 chars", 1, 2, None), ("3 chars", 1, 3, None), ("6 chars", 1, 6, None),
    ("2-term AND", 2, 2, And), ("3-term AND", 3, 2, And), ("2-term OR", 2, 3, Or),
)
WHITESPACE = " \t\r\n\f\v\u3000\xa0"
# The goal: search answers in at most this fraction of the scan's time, for every kind.
GOAL_RATIO = 0.2

try:  # the replica's phrase lists make the text read like the real site's
    from replica import phrases as _p

    SUBJECTS = list(_p.SUBJECTS)
    VERBS = list(_p.VERBS)
    OBJECTS = list(_p.OBJECTS)
    PURPOSES = list(_p.PURPOSES)
    HEADINGS = list(_p.SECTION_HEADINGS) + list(_p.SUBSECTION_HEADINGS)
    AGENCIES = list(_p.AGENCIES)
except (ImportError, AttributeError):
    SUBJECTS = ["煤电", "可再生能源", "新型储能", "电力市场", "天然气", "氢能", "数字经济", "乡村振兴"]
    VERBS = ["加快推进", "健全完善", "统筹推动", "积极支持", "有序引导", "着力提升"]
    OBJECTS = ["价格机制", "投资项目审批", "营商环境", "基础设施建设", "标准体系", "监测预警能力"]
    PURPOSES = ["实现碳达峰碳中和目标", "推动高质量发展", "保障国家能源安全", "促进共同富裕"]
    HEADINGS = ["总体要求", "重点任务", "保障措施", "组织实施", "指导思想", "基本原则"]
    AGENCIES = ["国家发展改革委", "国家能源局", "财政部", "商务部", "工业和信息化部"]

CATEGORIES = ("通知", "规范性文件", "公告", "规划文本", "发展改革委令")
LABELS = "一二三四五六七八九十"
FILLERS = ("，", "。", "、", "；", "和", "与", "及", "等", "的")


def _sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 4)):
        parts.append(rng.choice(VERBS) + rng.choice(SUBJECTS) + rng.choice(OBJECTS))
        parts.append(rng.choice(FILLERS))
    return "".join(parts[:-1]) + "，" + rng.choice(PURPOSES) + "。"


def build_corpus(path: Path, n_docs: int, seed: int = 2026) -> None:
    """Write `n_docs` documents with their articles and issuers into a store at `path`."""
    rng = random.Random(seed)
    store = Store(path, extensions=False)
    docs, arts, issuers = [], [], []
    for i in range(n_docs):
        doc_id = f"bench-{i}"
        year = rng.randint(2015, 2026)
        texts = []
        for seq in range(rng.randint(4, 16)):
            heading = rng.choice(HEADINGS) if rng.random() < 0.4 else None
            text = "".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
            texts.append(f"{LABELS[seq % 10]}、{heading or ''}{text}")
            arts.append((doc_id, seq, 1, f"{LABELS[seq % 10]}、", seq + 1, heading, text, None, "body"))
        title = f"关于{rng.choice(VERBS)}{rng.choice(SUBJECTS)}{rng.choice(OBJECTS)}的通知"
        number = f"发改能源〔{year}〕{i + 1}号"
        body = "\n".join([title, number, *texts])
        docs.append((doc_id, rng.choice(CATEGORIES), title, number, f"{year}-0{rng.randint(1, 9)}-15",
                     body, f"{i:064x}", "1.0.0", "active", "2026-01-01T00:00:00", 1))
        for pos, name in enumerate(rng.sample(AGENCIES, rng.randint(1, 3)), 1):
            issuers.append((doc_id, pos, name))
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT INTO documents (id, category, title, doc_number, publish_date, body_text,"
            " content_sha256, parser_version, status, first_seen, version)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            docs,
        )
        db.conn.executemany(
            "INSERT INTO articles (document_id, seq, level, label, number, heading, text, parent, source)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            arts,
        )
        db.conn.executemany("INSERT INTO issuers (document_id, position, name) VALUES (?,?,?)", issuers)
    store.close()


def _substring(text: str, length: int, rng: random.Random) -> str | None:
    start = rng.randrange(0, max(1, len(text) - length))
    q = text[start : start + length]
    return q if len(q) == length and q.strip(WHITESPACE) == q else None


def sample_queries(db, kind: tuple, count: int, rng: random.Random) -> list[str]:
    """`count` queries of one kind, written in the query language."""
    _, n_terms, length, op = kind
    texts = [t for (t,) in db.execute("SELECT text FROM articles WHERE rowid % 53 = 0") if t]
    out = []
    while len(out) < count:
        sources = [rng.choice(texts)] * n_terms if op is And else [rng.choice(texts) for _ in range(n_terms)]
        terms = [_substring(t, length, rng) for t in sources]
        if None in terms or len(set(terms)) < n_terms:
            continue
        node = Term(terms[0]) if op is None else op(tuple(Term(t) for t in terms))
        out.append(render(node))
    return out


def _timed(fn, *args, **kw) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn(*args, **kw)
    return (time.perf_counter() - t0) * 1000, result


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=30, help="queries per length")
    ap.add_argument("--db", type=Path, help="keep the corpus here (reused when it exists)")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args(argv)

    import sqlite_utils

    tmp = None
    path = args.db
    if path is None:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "bench.sqlite"
    if not path.exists():
        t_build, _ = _timed(build_corpus, path, args.docs)
        db = sqlite_utils.Database(path)
        t_index, _ = _timed(search.rebuild, db)
        print(f"corpus: {args.docs} documents built in {t_build / 1000:.1f} s, indexed in {t_index / 1000:.1f} s")
    else:
        db = sqlite_utils.Database(path)
    n_docs, n_chars = db.execute("SELECT count(*), sum(length(body_text)) FROM documents").fetchone()
    n_arts = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"corpus: {n_docs} documents, {n_arts} articles, {n_chars:,} body characters")

    rng = random.Random(7)
    rows = []
    print(f"{'query':>10} {'search p50':>11} {'p95':>8} {'scan p50':>9} {'p95':>8} {'p50 ratio':>9} {'p95 ratio':>9}  goal")
    for kind in KINDS:
        queries = sample_queries(db, kind, args.queries, rng)
        s_times, x_times = [], []
        for q in queries:  # interleaved, so both see the same cache state
            ts, results = _timed(search.run, db, q, limit=20)
            tx, found = _timed(scan, db, q)
            assert results.total == len(found), q  # sanity, not timing
            s_times.append(ts)
            x_times.append(tx)
        s50, s95 = statistics.median(s_times), _p95(s_times)
        x50, x95 = statistics.median(x_times), _p95(x_times)
        ok = s50 / x50 <= GOAL_RATIO and s95 / x95 <= GOAL_RATIO
        rows.append(dict(kind=kind[0], search_p50_ms=s50, search_p95_ms=s95, scan_p50_ms=x50,
                         scan_p95_ms=x95, examples=queries[:3]))
        print(f"{kind[0]:>10} {s50:>9.2f}ms {s95:>6.2f}ms {x50:>7.1f}ms {x95:>6.1f}ms "
              f"{s50 / x50:>9.3f} {s95 / x95:>9.3f}  {'met' if ok else 'MISSED'}  e.g. {' | '.join(queries[:2])}")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    db.close()
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
