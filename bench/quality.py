"""Extraction quality on every PDF with a gold file, and how well confidence is calibrated.

    .venv/bin/python bench/quality.py

Prints Markdown: (1) per-initiative scores of the dev set and the project corpus,
by the method of ../shared/tools/score.py (tests/scoring.py, which a test keeps
identical to it); (2) per-page scores of the real reports in
../shared/corpus/real/gold by ../shared/tools/score_doc.py; (3) reliability tables
of calibrated confidence, held out by document (bench/calibrate.py). Each PDF is
extracted once (bench/goldsets.py). The README's Quality section is this output.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import reliability_report  # noqa: E402
from bench.goldsets import GoldDoc, all_gold_docs, score_doc, unit_agreement  # noqa: E402
from extractor.text import fold  # noqa: E402
from tests.scoring import KINDS, score  # noqa: E402


def initiative_table(docs: list[GoldDoc]) -> str:
    lines = ["| document | " + " | ".join(KINDS) + " | initiatives | areas | units | qualifiers"
             " | status date |", "|---" * (len(KINDS) + 6) + "|"]
    for d in docs:
        r = score(d.gold, d.pred)
        cells = [f"{r[k]['f1']:.2f}" if k in r else "–" for k in KINDS]
        lines.append(f"| {d.name} | " + " | ".join(cells) + f" | {r['initiatives']['f1']:.2f}"
                     f" | {_area_accuracy(d.gold, d.pred)} | {_num(r['unit_accuracy'])}"
                     f" | {_num(r['qualifier_accuracy'])} | {_right(r['status_date_ok'])} |")
    return "\n".join(lines)


def page_table(docs: list[GoldDoc]) -> str:
    sd = score_doc()
    assert sd is not None
    lines = ["| document | " + " | ".join(KINDS) + " | all | units | qualifiers | status date |",
             "|---" * (len(KINDS) + 5) + "|"]
    f1s = []
    for d in docs:
        r = sd.score(d.gold, d.pred)
        f1s.append(r["all"]["f1"])
        cells = [f"{r[k]['f1']:.2f}" if k in r else "–" for k in KINDS]
        lines.append(f"| {d.name} | " + " | ".join(cells) + f" | {r['all']['f1']:.2f}"
                     f" | {_num(r.get('unit_accuracy'))} | {_num(r.get('qualifier_accuracy'))}"
                     f" | {_right(r['status_date_ok'])} |")
    lines.append(f"\nMean all-kind F1 {sum(f1s) / len(f1s):.2f}")
    u = unit_agreement(docs)
    lines.append(f"\nUnits of the {u.matched} matched counts, pooled: {u.exact / u.matched:.2f} equal to"
                 f" the gold's (score_doc.py), {u.head_noun / u.matched:.2f} with the gold's head noun"
                 " (the guide: \"scoring accepts the head noun or a longer phrase\")")
    return "\n".join(lines)


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def _right(ok: bool) -> str:
    return "right" if ok else "WRONG"


def _area_accuracy(gold: dict, pred: dict) -> str:
    """Share of gold initiatives (by exact folded title) whose area number matches."""
    found = {fold(it["title"]): (it["area"] or {}).get("number") for it in pred["initiatives"]}
    pairs = [(g["area_number"], found.get(fold(g["title"]), "missing")) for g in gold["initiatives"]]
    pairs = [(g, p) for g, p in pairs if g is not None or p is not None]
    return f"{sum(g == p for g, p in pairs) / len(pairs):.2f}" if pairs else "–"


def main() -> None:
    docs = all_gold_docs()
    print("Per initiative (dev set and project corpus, method of ../shared/tools/score.py):\n")
    print(initiative_table([d for d in docs if not d.per_page]))
    real = [d for d in docs if d.per_page]
    if real:
        print("\nPer page (real reports, ../shared/tools/score_doc.py):\n")
        print(page_table(real))
    print("\nCalibrated confidence, each document's facts under a fit on all the others"
          " (bench/calibrate.py):\n")
    print(reliability_report(docs))


if __name__ == "__main__":
    main()
