"""Attachment text speed: the replica's PDF and OFD attachments read side by side in one process.

Prints files/s of:
  * `parsers.pdf.pdf_paragraphs` as the crawl reads a PDF (pdfium without system fonts, runs,
    the layout pass),
  * the same with pdfium's system fonts, as it read them before (in a child process: the font
    setting is process-wide), for the ratio that change bought,
  * pdfium's own text extraction (`get_text_range` of every page, nothing of ours): the floor,
  * `parsers.ofd.ofd_paragraphs`,
and the ratios ours / with system fonts and floor / ours.

The contenders take turns, each for `--seconds` a round, so that a load coming and going on a
shared machine falls on each of them; the best round of each is printed.

Usage: python bench/attachment_bench.py [--size 200] [--seconds 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The child's contender: pdf_paragraphs with pdfium's default font info left in place.
WITH_SYSTEM_FONTS = r"""
import sys, time
import pypdfium2.raw
pypdfium2.raw.FPDF_SetSystemFontInfo = lambda info: None  # parsers.pdf leaves pdfium's default
from pathlib import Path
from parsers.pdf import pdf_paragraphs
files = [p.read_bytes() for p in sorted(Path(sys.argv[1]).glob("*.pdf"))]
seconds, best = float(sys.argv[2]), 0.0
for _ in range(int(sys.argv[3])):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in files:
            pdf_paragraphs(data)
        n += len(files)
    best = max(best, n / (time.perf_counter() - start))
print(best)
"""


def attachments(size: int) -> tuple[list[bytes], list[bytes]]:
    """The PDF and OFD files of a replica of `size` documents."""
    from replica import Site
    from replica.pages import render_file

    site = Site(size=size, seed=0)
    pdfs, ofds = [], []
    for doc_id in site.ids():
        content = site.compose(doc_id)
        for spec in content.files:
            if spec.exists and spec.ext in ("pdf", "ofd"):
                (pdfs if spec.ext == "pdf" else ofds).append(render_file(spec, content))
    return pdfs, ofds


def rate(func, files: list[bytes], seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for data in files:
            func(data)
        n += len(files)
    return n / (time.perf_counter() - start)


def pdfium_floor(data: bytes) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        for page in doc:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
    finally:
        doc.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="documents in the replica")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from parsers.ofd import ofd_paragraphs
    from parsers.pdf import pdf_paragraphs

    pdfs, ofds = attachments(args.size)
    if not pdfs:
        print("Error: the replica has no PDF attachments; try a larger --size", file=sys.stderr)
        return 2
    print(f"{len(pdfs)} PDF and {len(ofds)} OFD attachments of a {args.size}-document replica")
    best = {"ours": 0.0, "system fonts": 0.0, "pdfium floor": 0.0, "ofd": 0.0}
    with tempfile.TemporaryDirectory(prefix="attachment-bench-") as tmp:
        for i, data in enumerate(pdfs):
            Path(tmp, f"{i:05}.pdf").write_bytes(data)
        for _ in range(args.rounds):
            best["ours"] = max(best["ours"], rate(pdf_paragraphs, pdfs, args.seconds))
            best["pdfium floor"] = max(best["pdfium floor"], rate(pdfium_floor, pdfs, args.seconds))
            if ofds:
                best["ofd"] = max(best["ofd"], rate(ofd_paragraphs, ofds, args.seconds))
            done = subprocess.run([sys.executable, "-c", WITH_SYSTEM_FONTS, tmp, str(args.seconds), "1"],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            best["system fonts"] = max(best["system fonts"], json.loads(done.stdout))
    print(f"  {'contender':44} {'files/s':>9}")
    for name, label in (("ours", "pdf_paragraphs (no system fonts)"),
                        ("system fonts", "pdf_paragraphs with system fonts (before)"),
                        ("pdfium floor", "pdfium text extraction alone (floor)"),
                        ("ofd", "ofd_paragraphs")):
        print(f"  {label:44} {best[name]:>9.0f}")
    print(f"  ours / with system fonts = {best['ours'] / best['system fonts']:.1f}x")
    print(f"  floor / ours             = {best['pdfium floor'] / best['ours']:.1f}x  (what the runs and layout pass cost)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
