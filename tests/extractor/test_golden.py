"""Golden tests: every corpus PDF with a gold file is scored, and its output snapshotted.

Scores use ../shared/tools/score.py's method (tests/scoring.py). Thresholds are
those of the extraction issue: every kind F1 >= 0.95, initiative F1 >= 0.98,
status date right. Snapshots in tests/golden/ catch any change in output; they
are rewritten only with ``--regenerate-golden``, which CI refuses.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from extractor.pipeline import extract_pdf
from tests.conftest import PROJECT_CORPUS, ROOT, SHARED_DEV
from tests.scoring import score

GOLDEN = ROOT / "tests" / "golden"


def _gold_pdfs() -> list[Path]:
    found = sorted(p for p in PROJECT_CORPUS.glob("*.pdf") if p.with_suffix(".gold.json").exists())
    if SHARED_DEV.is_dir():
        found += sorted(p for p in SHARED_DEV.glob("*.pdf")
                        if p.with_suffix(".gold.json").exists())
    return found


GOLD_PDFS = _gold_pdfs()


@lru_cache(maxsize=None)
def extracted(pdf: Path) -> dict:
    return json.loads(extract_pdf(pdf).model_dump_json())


def _id(p: Path) -> str:
    return ("shared/" if SHARED_DEV in p.parents else "") + p.stem


@pytest.mark.parametrize("pdf", GOLD_PDFS, ids=_id)
def test_scores_meet_thresholds(pdf: Path) -> None:
    gold = json.loads(pdf.with_suffix(".gold.json").read_text(encoding="utf-8"))
    r = score(gold, extracted(pdf))
    low = {k: v["f1"] for k, v in r.items()
           if isinstance(v, dict) and "tp" in v and v["f1"] < 0.95}
    detail = f"misses={r['misses']}\nfalse alarms={r['false_alarms']}"
    assert r["status_date_ok"], f"status date wrong: {extracted(pdf)['report']['status_date']}"
    assert r["initiatives"]["f1"] >= 0.98, f"initiatives {r['initiatives']}\n{detail}"
    assert not low, f"kinds below F1 0.95: {low}\n{detail}"


def _snapshot(result: dict) -> dict:
    """What a golden snapshot keeps: structure and facts, bboxes rounded, no hash."""
    def fact(e: dict) -> dict:
        keep = {k: e.get(k) for k in ("kind", "text", "value", "unit", "qualifier", "name",
                                      "page", "extractor")}
        keep["bbox"] = [round(v, 1) for v in e["bbox"]]
        return keep

    return {
        "report": {"title": result["report"]["title"],
                   "status_date": result["report"]["status_date"],
                   "extractions": [fact(e) for e in result["report"]["extractions"]]},
        "initiatives": [{"title": it["title"], "area": it["area"], "pages": it["pages"],
                         "extractions": [fact(e) for e in it["extractions"]]}
                        for it in result["initiatives"]],
    }


@pytest.mark.parametrize("pdf", GOLD_PDFS, ids=_id)
def test_output_matches_snapshot(pdf: Path, regenerate_golden: bool) -> None:
    path = GOLDEN / f"{_id(pdf).replace('/', '__')}.json"
    got = _snapshot(extracted(pdf))
    if regenerate_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {path.name}")
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}: run pytest --regenerate-golden and review it")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want, f"output of {pdf.name} changed; if intended, --regenerate-golden"


def test_shared_dev_corpus_present_or_skipped() -> None:
    if not SHARED_DEV.is_dir():
        pytest.skip(f"{SHARED_DEV} not found: the shared dev corpus tests are skipped")
    assert any(SHARED_DEV.glob("*.gold.json"))


def test_scoring_matches_shared_scorer() -> None:
    """tests/scoring.py must agree with ../shared/tools/score.py on a real output."""
    tool = SHARED_DEV.parent.parent / "tools" / "score.py"
    pdfs = [p for p in GOLD_PDFS if SHARED_DEV in p.parents]
    if not tool.exists() or not pdfs:
        pytest.skip("../shared/tools/score.py or the dev corpus is not available")
    import importlib.util

    spec = importlib.util.spec_from_file_location("shared_score", tool)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    gold = json.loads(pdfs[0].with_suffix(".gold.json").read_text(encoding="utf-8"))
    theirs = mod.score(gold, extracted(pdfs[0]))
    ours = score(gold, extracted(pdfs[0]))
    for kind in ("date", "period", "count", "percentage", "money", "municipality"):
        if kind in theirs:
            assert ours[kind]["f1"] == theirs[kind]["f1"], kind
    assert ours["initiatives"]["f1"] == theirs["initiatives"]["f1"]
    assert ours["unit_accuracy"] == theirs["unit_accuracy"]
    assert ours["qualifier_accuracy"] == theirs["qualifier_accuracy"]


def test_ci_refuses_regenerate_flag() -> None:
    """With CI set, --regenerate-golden is a usage error (exit 4) and nothing is rewritten."""
    import os
    import subprocess
    import sys

    before = {p.name: p.read_bytes() for p in GOLDEN.glob("*.json")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--regenerate-golden",
         str(Path(__file__)), "-k", "snapshot"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "CI": "true"}, timeout=120)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "refused in CI" in proc.stdout + proc.stderr
    assert before == {p.name: p.read_bytes() for p in GOLDEN.glob("*.json")}
