"""Parse speed, measured side by side in one process on the same real NDRC detail pages.

Prints docs/s of:
  * the full structured parse (`parsers.parse`: decode, clean, metadata, articles),
  * trafilatura's bare text extraction (`trafilatura.bare_extraction`), the reference,
  * bare `lxml.html.fromstring` (the floor: building the tree alone),
and the two ratios the project holds itself to:
  full / trafilatura  >= 10    (structured parsing at least 10x a general extractor)
  lxml  / full        <= 4     (the parse adds at most 3x the cost of building the tree)

The contenders take turns at a fine grain: within each round they alternate turn by turn (a turn
= a few passes over every page: a few milliseconds, trafilatura's a few tens), and each
contender's rate in the round is its pages over its own time. A machine whose speed drifts
(another process, a virtual machine's neighbours) then slows every contender alike within a
round, where slices of a second each had let one contender run fast and the next slow (rounds of
one run spread from 3x to 6x). A ratio is taken within each round; the ratios printed are the
median over the rounds (their range beside it); docs/s are each contender's best round.

Each turn opens with one pass that is timed apart. It runs after another contender's turn, with
the processor's caches and predictors holding that one's work: refilling them is a cost a turn
brings, whatever its length. Counted with the rest, it weighed on a contender by how few passes
its turn holds (one pass in two for the full parse, one in five for bare lxml), so the ratio
mixed a cold parse with a warm tree and moved with the length of a turn. The goals are held on
the passes after it, each contender's steady rate, as the bench measured before the contenders
alternated. The first passes are printed apart, held to no goal: they are what a caller that
parses one page between other work (a crawler) sees more of. So that no contender's first pass
always follows the same one (bare lxml right after the full parse, which has just run libxml2 on
the same pages, pays half the refill it pays after trafilatura), the turns' order is shuffled at
every cycle, from a fixed seed.

Usage: python bench/parse_bench.py [--seconds 3] [--rounds 5] [--pages DIR]
Exit status 0 when both ratios hold, 1 otherwise (the numbers are printed either way).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = Path(os.environ.get("NDRC_SHARED", ROOT.parent / "shared")) / "fixtures" / "ndrc" / "pages"

TARGET_VS_TRAFILATURA = 10.0
MAX_LXML_ADVANTAGE = 4.0


# A pass of each contender lasts at least this long (the fast ones repeat the pages), so that the
# clock's resolution and the loop around it stay far below what is measured.
MIN_PASS_SECONDS = 0.002


# The turns' order is shuffled at every cycle from this seed: the same orders in every run.
TURN_ORDER_SEED = 0


def _pass(func, inputs, repeat: int) -> float:
    """Seconds for `repeat` passes of `func` over `inputs`."""
    start = time.perf_counter()
    for _ in range(repeat):
        for item in inputs:
            func(item)
    return time.perf_counter() - start


def interleaved_rates(
    contenders: dict, inputs, seconds: float, rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per contender, its docs/s in each round, steady (the passes after the first of each turn)
    and cold (the first pass of each turn); within a round the contenders alternate turn by turn."""
    repeats = {}
    for name, func in contenders.items():  # warm every code path (imports, regex caches) first
        _pass(func, inputs, 1)
        once = min(_pass(func, inputs, 1) for _ in range(3))
        repeats[name] = max(1, int(MIN_PASS_SECONDS / max(once, 1e-9)) + 1)
    steady: dict[str, list[float]] = {name: [] for name in contenders}
    cold: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders)
    shuffle = random.Random(TURN_ORDER_SEED).shuffle
    for _ in range(rounds):
        gc.collect()
        spent = dict.fromkeys(contenders, 0.0)
        done = dict.fromkeys(contenders, 0)
        cold_spent = dict.fromkeys(contenders, 0.0)
        turns = 0
        deadline = time.perf_counter() + seconds / rounds * len(contenders)
        while time.perf_counter() < deadline:
            turns += 1
            shuffle(order)
            for name in order:
                func = contenders[name]
                cold_spent[name] += _pass(func, inputs, 1)
                spent[name] += _pass(func, inputs, repeats[name])
                done[name] += repeats[name] * len(inputs)
        for name in contenders:
            steady[name].append(done[name] / spent[name])
            cold[name].append(turns * len(inputs) / cold_spent[name])
    return steady, cold


def _positive(kind):
    """An argparse type: a number of `kind` above zero (none measures nothing)."""

    def read(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value

    return read


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=_positive(float), default=3.0, help="time per contender, over all rounds")
    parser.add_argument("--rounds", type=_positive(int), default=5, help="rounds of turns (a ratio is taken in each)")
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    args = parser.parse_args(argv)

    from parsers import parse

    pages = [(p.name, p.read_bytes()) for p in sorted(args.pages.glob("*_t*.html"))]
    if not pages:
        print(f"no detail pages found in {args.pages}", file=sys.stderr)
        return 2
    urls = {
        name: "https://www.ndrc.gov.cn/xxgk/zcfb/{}/{}".format(name.split("_", 1)[0], name.split("_", 1)[1])
        for name, _ in pages
    }
    inputs = [(urls[name], body) for name, body in pages]

    import trafilatura

    rates, cold = interleaved_rates(
        {
            # full and bare side by side: the ratio between them is the finer one
            "full": lambda item: parse(item[1], url=item[0]),
            "bare": lambda item: lxml.html.fromstring(item[1]),
            "ref": lambda item: trafilatura.bare_extraction(item[1].decode("utf-8"), url=item[0]),
        },
        inputs,
        args.seconds,
        args.rounds,
    )
    vs_ref_rounds = [f / r for f, r in zip(rates["full"], rates["ref"])]
    lxml_adv_rounds = [b / f for b, f in zip(rates["bare"], rates["full"])]
    vs_ref = statistics.median(vs_ref_rounds)
    lxml_adv = statistics.median(lxml_adv_rounds)
    cold_vs_ref_rounds = [f / r for f, r in zip(cold["full"], cold["ref"])]
    cold_lxml_adv_rounds = [b / f for b, f in zip(cold["bare"], cold["full"])]
    print(f"pages: {len(inputs)} real detail pages from {args.pages}; {args.rounds} rounds, contenders in turn")
    print(f"{'docs/s':<34}{'steady':>12}{'first pass':>12}")
    for label, name in (
        ("parsers.parse (full structured)", "full"),
        ("trafilatura.bare_extraction", "ref"),
        ("lxml.html.fromstring (tree only)", "bare"),
    ):
        print(f"{label:<34}{max(rates[name]):>12.0f}{max(cold[name]):>12.0f}")
    ok_ref = vs_ref >= TARGET_VS_TRAFILATURA
    ok_lxml = lxml_adv <= MAX_LXML_ADVANTAGE
    print(
        f"full / trafilatura = {vs_ref:.1f}x  (rounds {min(vs_ref_rounds):.1f}–{max(vs_ref_rounds):.1f})"
        f"  (goal >= {TARGET_VS_TRAFILATURA:g}x)  {'ok' if ok_ref else 'MISSED'}"
    )
    print(
        f"lxml / full        = {lxml_adv:.2f}x  (rounds {min(lxml_adv_rounds):.2f}–{max(lxml_adv_rounds):.2f})"
        f"  (goal <= {MAX_LXML_ADVANTAGE:g}x)  {'ok' if ok_lxml else 'MISSED'}"
    )
    print(
        f"first pass of each turn, held to no goal: full / trafilatura = {statistics.median(cold_vs_ref_rounds):.1f}x"
        f" (rounds {min(cold_vs_ref_rounds):.1f}–{max(cold_vs_ref_rounds):.1f}),"
        f" lxml / full = {statistics.median(cold_lxml_adv_rounds):.2f}x"
        f" (rounds {min(cold_lxml_adv_rounds):.2f}–{max(cold_lxml_adv_rounds):.2f})"
    )
    return 0 if ok_ref and ok_lxml else 1


if __name__ == "__main__":
    sys.exit(main())
