"""Every gold set relato has, each PDF extracted once, its facts judged by the scorers.

Two kinds of gold:

- per initiative (``corpus/*.gold.json``, ``../shared/corpus/dev/*.gold.json``):
  scored by ``tests/scoring.py``, the method of ``../shared/tools/score.py``;
- per page (``../shared/corpus/real/gold/*.gold.json``, for real reports of other
  bodies): scored by ``../shared/tools/score_doc.py``, sets of (page, kind, value).

A predicted fact is *right* when the scorer would count it a true positive; the
scorers' own key functions decide, nothing here re-implements matching. Used by
``bench/quality.py`` (tables), ``bench/calibrate.py`` (fitting confidence) and the
golden tests of the real gold.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extractor.calibration import Sample  # noqa: E402
from extractor.errors import BadPDF  # noqa: E402
from extractor.pipeline import extract_pdf  # noqa: E402
from tests.scoring import judged_facts  # noqa: E402

SHARED = Path(os.environ.get("RELATO_SHARED_DIR", ROOT.parent / "shared"))
SHARED_DEV = SHARED / "corpus" / "dev"
REAL_GOLD = SHARED / "corpus" / "real" / "gold"
SCORE_DOC = SHARED / "tools" / "score_doc.py"
SPLIT_FILE = ROOT / "bench" / "real_split.yaml"
Half = Literal["develop", "held-out"]
FOLDS = (1, 2)  # the two folds of the protocol in bench/real_split.yaml


@dataclass
class GoldDoc:
    """One gold document: its name, PDF, gold JSON and how it is scored."""

    name: str
    pdf: Path
    gold: dict[str, Any]
    per_page: bool  # scored by score_doc.py (real reports) rather than per initiative
    pred: dict[str, Any] = field(default_factory=dict)  # extraction, raw confidences
    refused: str = ""  # why relato refused the PDF (it then scores as an empty prediction)
    fold: int = 1  # which fold of bench/real_split.yaml names the halves (2 swaps them)

    @property
    def publisher(self) -> str:
        """The publisher part of a real report's file name: `boletim-to-ses-…` -> `to-ses`."""
        return "-".join(self.name.split("-")[1:3])

    @property
    def half(self) -> Half:
        """The half of the real gold this document is in (bench/real_split.yaml): in fold
        1 the `develop` list is developed on; fold 2 swaps the halves, so the former
        held-out publishers are developed on and the former develop half is the check.
        A publisher listed in neither is held out in both folds."""
        developed = _split()["develop" if self.fold == 1 else "held_out"]
        return "develop" if self.publisher in developed else "held-out"


@lru_cache(maxsize=1)
def _split() -> dict[str, frozenset[str]]:
    data = yaml.safe_load(SPLIT_FILE.read_text(encoding="utf-8"))
    develop, held_out = frozenset(data["develop"]), frozenset(data["held_out"])
    if develop & held_out:
        raise ValueError(f"{SPLIT_FILE}: in both halves: {sorted(develop & held_out)}")
    return {"develop": develop, "held_out": held_out}


@lru_cache(maxsize=1)
def score_doc() -> ModuleType | None:
    """``../shared/tools/score_doc.py`` as a module, or None where ../shared is absent."""
    if not SCORE_DOC.exists():
        return None
    spec = importlib.util.spec_from_file_location("score_doc", SCORE_DOC)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def initiative_gold_docs() -> list[GoldDoc]:
    """The dev set's and the project corpus's PDFs with a per-initiative gold file."""
    out = []
    for folder, prefix in ((SHARED_DEV, "shared/"), (ROOT / "corpus", "")):
        for pdf in sorted(folder.glob("*.pdf")) if folder.is_dir() else []:
            if pdf.with_suffix(".gold.json").exists():
                out.append(GoldDoc(prefix + pdf.stem, pdf, _read(pdf.with_suffix(".gold.json")), False))
    return out


def real_gold_docs(fold: int = 1) -> list[GoldDoc]:
    """The real reports with a per-page gold file (empty where ../shared or its scorer is
    absent), their halves named by ``fold`` (see :attr:`GoldDoc.half`)."""
    if fold not in FOLDS:
        raise ValueError(f"fold must be one of {FOLDS}, got {fold}")
    if not REAL_GOLD.is_dir() or score_doc() is None:
        return []
    out = []
    for gold in sorted(REAL_GOLD.glob("*.gold.json")):
        name = gold.name.removesuffix(".gold.json")
        out.append(GoldDoc(name, REAL_GOLD.parent / f"{name}.pdf", _read(gold), True, fold=fold))
    return out


EMPTY_PRED: dict[str, Any] = {"report": {"status_date": None, "extractions": []}, "initiatives": []}


def _extract(pdf: Path) -> tuple[dict[str, Any], str]:
    """One PDF's extraction as JSON data, or the empty prediction and why it was refused."""
    try:
        return json.loads(extract_pdf(pdf, calibrate=False).model_dump_json()), ""
    except BadPDF as e:
        return EMPTY_PRED, str(e)


def extracted(docs: list[GoldDoc], jobs: int = 1) -> list[GoldDoc]:
    """Extract each document's PDF once, with raw (uncalibrated) confidences; ``jobs``
    processes at a time. A PDF relato refuses scores as an empty prediction."""
    todo = [d for d in docs if not d.pred]
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_extract, [d.pdf for d in todo]))
    else:
        results = [_extract(d.pdf) for d in todo]
    for d, (pred, refused) in zip(todo, results):
        d.pred, d.refused = pred, refused
    return docs


def all_gold_docs(jobs: int = 1) -> list[GoldDoc]:
    """Every gold document, extracted."""
    return extracted(initiative_gold_docs() + real_gold_docs(), jobs)


def judged(doc: GoldDoc) -> list[tuple[dict[str, Any], bool]]:
    """Each scored predicted fact of ``doc`` with whether its scorer counts it right."""
    if not doc.per_page:
        return judged_facts(doc.gold, doc.pred)
    sd = score_doc()
    assert sd is not None
    truth = sd.facts_of_gold(doc.gold)
    out = []
    for group in [doc.pred["report"]] + doc.pred["initiatives"]:
        for e in group.get("extractions", []):
            k = sd.key(e.get("kind"), e.get("value"))
            if k is not None:
                out.append((e, (e.get("page"),) + k in truth))
    return out


def samples(doc: GoldDoc) -> list[Sample]:
    """``doc``'s judged facts as calibration samples (extractor id, raw confidence, right?)."""
    return [Sample(e["extractor"], float(e["confidence"]), ok) for e, ok in judged(doc)]


@dataclass(frozen=True)
class UnitAgreement:
    """Units of the counts both gold and prediction have (per page, first occurrence,
    as score_doc.py pairs them): how many, how many pass the guide's rule ("scoring
    accepts the head noun or a longer phrase", score_doc.py's ``unit_ok``), and how
    many are equal to the gold's (its ``unit_exact``)."""

    matched: int
    exact: int
    guide: int


def unit_agreement(docs: list[GoldDoc]) -> UnitAgreement:
    """Pooled over ``docs`` (per-page gold), each extracted."""
    from extractor.text import fold

    sd = score_doc()
    assert sd is not None
    matched = exact = guide = 0
    for d in docs:
        truth, pred = sd.facts_of_gold(d.gold), sd.facts_of_pred(d.pred)
        for k, g in truth.items():
            if k[1] != "count" or k not in pred:
                continue
            gu, pu = g.get("unit"), pred[k].get("unit")
            matched += 1
            exact += fold(gu or "") == fold(pu or "")
            guide += bool(sd.unit_ok(gu, pu))
    return UnitAgreement(matched, exact, guide)
