"""Extraction quality on every PDF with a gold file, and how well confidence is calibrated.

    .venv/bin/python bench/quality.py                       # everything
    .venv/bin/python bench/quality.py --real --jobs 2       # the real reports only, by document
    .venv/bin/python bench/quality.py --real --half develop # only the half rules are developed on
    .venv/bin/python bench/quality.py --real --fold 2       # the halves swapped (second fold)

The real reports are split by publisher (bench/real_split.yaml) into a half rules are
developed on and a held-out half that is only measured; the per-page table says each
document's half and the summary gives each half's mean, so a rule that lifts one half
and not the other shows up as fitting. The protocol has two folds: fold 1 develops on
the `develop` list and measures `held_out` blind; fold 2 (`--fold 2`) swaps them, so
its develop half is fold 1's held-out publishers and fold 1's develop half is the
check that must not drop.

Prints Markdown: (1) per-initiative scores of the dev set and the project corpus,
by the method of ../shared/tools/score.py (tests/scoring.py, which a test keeps
identical to it); (2) per-page scores of the real reports in
../shared/corpus/real/gold by ../shared/tools/score_doc.py; (3) reliability tables
of calibrated confidence, held out by document (bench/calibrate.py). Each PDF is
extracted once (bench/goldsets.py). The README's Quality section is this output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import reliability_report  # noqa: E402
from bench.goldsets import (  # noqa: E402
    FOLDS,
    GoldDoc,
    extracted,
    initiative_gold_docs,
    real_gold_docs,
    score_doc,
    unit_agreement,
)
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


def page_table(docs: list[GoldDoc], fold: int = 1) -> str:
    sd = score_doc()
    assert sd is not None
    lines = ["| document | half | " + " | ".join(KINDS) + " | all | units | qualifiers | status date |",
             "|---" * (len(KINDS) + 6) + "|"]
    f1s: dict[str, list[float]] = {"develop": [], "held-out": []}
    dates_right = 0
    for d in docs:
        r = sd.score(d.gold, d.pred)
        f1s[d.half].append(r["all"]["f1"])
        dates_right += bool(r["status_date_ok"])
        cells = [f"{r[k]['f1']:.2f}" if k in r else "–" for k in KINDS]
        refused = " (refused)" if d.refused else ""
        lines.append(f"| {d.name}{refused} | {d.half} | " + " | ".join(cells) + f" | {r['all']['f1']:.2f}"
                     f" | {_num(r.get('unit_accuracy'))} | {_num(r.get('qualifier_accuracy'))}"
                     f" | {_right(r['status_date_ok'])} |")
    every = f1s["develop"] + f1s["held-out"]
    other = "held-out" if fold == 1 else "check"
    lines.append(f"\nMean all-kind F1 {_mean(every)} over {len(every)} documents (lowest {min(every):.2f});"
                 f" fold {fold}: develop half {_mean(f1s['develop'])} ({len(f1s['develop'])}),"
                 f" {other} half {_mean(f1s['held-out'])} ({len(f1s['held-out'])})."
                 f" Status date right on {dates_right} of {len(docs)}.")
    u = unit_agreement(docs)
    if u.matched:
        lines.append(f"\nUnits of the {u.matched} matched counts, pooled: {u.guide / u.matched:.2f} by the"
                     " guide's rule (\"the head noun or a longer phrase\", score_doc.py's unit_ok),"
                     f" {u.exact / u.matched:.2f} equal to the gold's")
    return "\n".join(lines)


def _mean(values: list[float]) -> str:
    return f"{sum(values) / len(values):.3f}" if values else "–"


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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--real", action="store_true", help="only the real reports, per page")
    ap.add_argument("--half", choices=("develop", "held-out", "both"), default="both",
                    help="which half of the real reports (bench/real_split.yaml)")
    ap.add_argument("--fold", type=int, choices=FOLDS, default=1,
                    help="1: develop on the `develop` list; 2: the halves swapped (bench/real_split.yaml)")
    ap.add_argument("--jobs", type=int, default=1, help="PDFs extracted at a time")
    args = ap.parse_args()
    real = [d for d in real_gold_docs(args.fold) if args.half in ("both", d.half)]
    per_initiative = [] if args.real else initiative_gold_docs()
    docs = extracted(per_initiative + real, args.jobs)
    if per_initiative:
        print("Per initiative (dev set and project corpus, method of ../shared/tools/score.py):\n")
        print(initiative_table(per_initiative))
    if real:
        print("\nPer page (real reports, ../shared/tools/score_doc.py):\n")
        print(page_table(real, args.fold))
    if not args.real:
        print("\nCalibrated confidence, each document's facts under a fit on all the others"
              " (bench/calibrate.py):\n")
        print(reliability_report(docs))


if __name__ == "__main__":
    main()
