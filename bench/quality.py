"""Extraction quality on every corpus PDF with a gold file, as a Markdown table.

    .venv/bin/python bench/quality.py

Uses the scoring method of ../shared/tools/score.py (tests/scoring.py, which a
test keeps identical to it). The README's quality table is this script's output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.model import ExtractResult  # noqa: E402
from extractor.pipeline import extract_pdf  # noqa: E402
from extractor.text import fold  # noqa: E402
from tests.scoring import KINDS, score  # noqa: E402

SHARED_DEV = ROOT.parent / "shared" / "corpus" / "dev"


def main() -> None:
    pdfs = sorted((ROOT / "corpus").glob("*.pdf"))
    if SHARED_DEV.is_dir():
        pdfs = sorted(SHARED_DEV.glob("*.pdf")) + pdfs
    print("| document | " + " | ".join(KINDS) + " | initiatives | areas | units | qualifiers"
          " | status date |")
    print("|---" * (len(KINDS) + 6) + "|")
    for pdf in pdfs:
        gold_path = pdf.with_suffix(".gold.json")
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        result = extract_pdf(pdf)
        r = score(gold, json.loads(result.model_dump_json()))
        areas = _area_accuracy(gold, result)
        cells = [f"{r[k]['f1']:.2f}" if k in r else "–" for k in KINDS]
        name = ("shared/" if SHARED_DEV in pdf.parents else "") + pdf.stem
        print(f"| {name} | " + " | ".join(cells) + f" | {r['initiatives']['f1']:.2f} | {areas}"
              f" | {_pct(r['unit_accuracy'])} | {_pct(r['qualifier_accuracy'])}"
              f" | {'right' if r['status_date_ok'] else 'WRONG'} |")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def _area_accuracy(gold: dict, result: ExtractResult) -> str:
    """Share of gold initiatives (by exact folded title) whose area number matches."""
    pred = {fold(it.title): (it.area.number if it.area else None) for it in result.initiatives}
    pairs = [(g["area_number"], pred.get(fold(g["title"]), "missing")) for g in gold["initiatives"]]
    pairs = [(g, p) for g, p in pairs if g is not None or p is not None]
    return f"{sum(g == p for g, p in pairs) / len(pairs):.2f}" if pairs else "–"


if __name__ == "__main__":
    main()
