"""Build relato's own sample corpus: PDFs and gold files from corpus/texts/*.txt.

    python corpus/make.py                 # rebuild every corpus/<doc>.pdf and <doc>.gold.json
    python corpus/make.py --out DIR       # build into DIR instead (tests compare bytes)
    python corpus/make.py --big N OUT.pdf # N-page synthetic deck for benchmarks

The corpus is what the quickstart loads and what tests can always rely on, even on
machines without the shared dev corpus. Output is byte-for-byte reproducible
(reportlab invariant mode, fonts shipped with reportlab), so the committed PDFs can be
checked against a fresh build. --big draws page by page on one canvas, reusing the
October deck's slides with a block number added to each title.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pdfdraw  # noqa: E402
from srcformat import Doc, gold, parse  # noqa: E402

TEXTS = os.path.join(HERE, "texts")
BIG_SOURCE = "status-deck-2025-10"


def sources() -> list[str]:
    return sorted(glob.glob(os.path.join(TEXTS, "*.txt")))


def build_one(src: str, outdir: str) -> Doc:
    doc = parse(src)
    assert doc.name == os.path.splitext(os.path.basename(src))[0], src
    pdf = os.path.join(outdir, f"{doc.name}.pdf")
    (pdfdraw.render_deck if doc.layout == "deck" else pdfdraw.render_a4)(doc, pdf)
    with open(os.path.join(outdir, f"{doc.name}.gold.json"), "w", encoding="utf-8") as fh:
        json.dump(gold(doc), fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return doc


def build_all(outdir: str = HERE) -> list[str]:
    os.makedirs(outdir, exist_ok=True)
    return [build_one(src, outdir).name for src in sources()]


def build_big(pages: int, out: str) -> None:
    """Synthetic N-page deck: cover, index, then the October slides cycled, closing last."""
    doc = parse(os.path.join(TEXTS, f"{BIG_SOURCE}.txt"))
    c = pdfdraw.new_canvas(out, pdfdraw.DECK, doc.cover[0])
    pdfdraw.deck_cover(c, doc)
    if pages >= 2:
        pdfdraw.deck_index(c, doc, 2)
    body = max(pages - 3, 0) if pages >= 3 else 0
    for i in range(body):
        block, k = divmod(i, len(doc.entries))
        suffix = f" — BLOCO {block + 1}" if block else ""
        pdfdraw.deck_slide(c, doc.entries[k], doc.areas, i + 3, suffix)
    if pages >= 3:
        pdfdraw.deck_closing(c, doc, pages)
    c.save()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=HERE, help="output directory (default: corpus/)")
    ap.add_argument("--big", nargs=2, metavar=("N", "OUT_PDF"), help="write an N-page deck")
    args = ap.parse_args(argv)
    if args.big:
        build_big(int(args.big[0]), args.big[1])
        print(f"wrote {args.big[1]} ({args.big[0]} pages)")
        return 0
    for name in build_all(args.out):
        print(f"wrote {os.path.join(args.out, name)}.pdf + .gold.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
