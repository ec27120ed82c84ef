"""Calibrated confidence: the fit on synthetic data, the shipped file's shape, where it applies.

The fitted numbers in rules/calibration.yaml are data that change with the rules
(refit: ``.venv/bin/python bench/calibrate.py --write``); these tests pin the
method and the file's shape, never the fit.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench.calibrate import Scored, ece, reliability
from extractor import calibration
from extractor.calibration import Calibration, Curve, Level, Sample, fit
from extractor.errors import RulesError
from extractor.model import ExtractResult
from extractor.pipeline import extract_pdf
from extractor.rulebook import load
from tests.conftest import PROJECT_CORPUS, ROOT

GOLDEN = ROOT / "tests" / "golden"


def _samples(extractor: str, raw: float, n: int, right: int) -> list[Sample]:
    return [Sample(extractor, raw, i < right) for i in range(n)]


@pytest.mark.parametrize("raw", [0.6, 0.8, 0.95])
def test_calibrated_input_stays_put(raw: float) -> None:
    data = [s for r in (0.6, 0.8, 0.95) for s in _samples("x", r, 1000, round(1000 * r))]
    assert fit(data).confidence("x", raw) == pytest.approx(raw, abs=0.02)


@pytest.mark.parametrize(("raw", "right"), [(0.95, 0.6), (0.9, 0.3)])
def test_overconfident_extractor_is_pulled_down(raw: float, right: float) -> None:
    cal = fit(_samples("x", raw, 500, round(500 * right)) + _samples("y", 0.5, 500, 500))
    assert cal.confidence("x", raw) == pytest.approx(right, abs=0.02)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mapping_is_monotone(seed: int) -> None:
    rng = random.Random(seed)
    data = [Sample("x", rng.choice([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]), rng.random() < 0.5)
            for _ in range(300)]
    curve = fit(data).extractors["x"]
    grid = [i / 100 for i in range(101)]
    got = [curve(r) for r in grid]
    assert got == sorted(got)


@pytest.mark.parametrize("right", [True, False])
def test_tiny_samples_stay_near_their_raw_confidence(right: bool) -> None:
    """One fact at a level moves it a little from the rule's own raw confidence (the
    prior), not to 0 or 1; the extractor's other levels do not pull it."""
    big = _samples("x", 0.9, 400, 320)  # extractor x at 0.9: right 8 times in 10
    got = fit(big + [Sample("x", 0.5, right)]).confidence("x", 0.5)
    assert got == pytest.approx(0.5, abs=0.2) and abs(got - 0.5) < abs(got - right)
    got = fit(big + [Sample("z", 0.6, right)]).confidence("z", 0.6)
    assert got == pytest.approx(0.6, abs=0.2) and abs(got - 0.6) < abs(got - right)


def test_levels_keep_the_rules_order_when_the_gold_cannot_tell_them_apart() -> None:
    """Every fact right at every level: the calibrated levels stay in the raw order
    (a queue sorted by confidence still shows the less sure rules first)."""
    cal = fit(_samples("x", 0.5, 10, 10) + _samples("x", 0.7, 40, 40) + _samples("x", 0.95, 40, 40))
    lo, mid, hi = (cal.confidence("x", r) for r in (0.5, 0.7, 0.95))
    assert lo < mid < hi <= 1.0


@pytest.mark.parametrize("raw", [0.5, 0.65, 0.99])
def test_unseen_extractor_is_no_surer_than_its_raw_or_the_global_precision(raw: float) -> None:
    cal = fit(_samples("x", 0.9, 100, 70))
    assert cal.confidence("never.seen", raw) == min(raw, cal.precision)


@pytest.mark.parametrize(("raw", "want"), [(0.1, 0.5), (0.6, 0.5), (0.7, 0.6), (0.8, 0.7), (0.99, 0.7)])
def test_curve_interpolates_between_levels_and_is_flat_beyond(raw: float, want: float) -> None:
    curve = Curve(n=2, precision=0.6, levels=[Level(raw=0.6, n=1, calibrated=0.5),
                                               Level(raw=0.8, n=1, calibrated=0.7)])
    assert curve(raw) == pytest.approx(want)


def test_shipped_file_has_the_schema() -> None:
    """rules/calibration.yaml loads (unknown keys, bad ranges, decreasing curves fail)."""
    cal = load(calibration.FILE, Calibration)
    assert cal.extractors and cal.fitted_on


def test_shipped_file_covers_every_extractor_in_the_snapshots() -> None:
    """A new extractor id in the output means the fit is stale: rerun bench/calibrate.py --write."""
    ids = set()
    for path in GOLDEN.glob("*.json"):
        snap = json.loads(path.read_text(encoding="utf-8"))
        facts = snap["report"]["extractions"] + [e for it in snap["initiatives"] for e in it["extractions"]]
        ids |= {e["extractor"] for e in facts}
    missing = ids - set(load(calibration.FILE, Calibration).extractors)
    assert not missing, f"no calibration for {missing}: run .venv/bin/python bench/calibrate.py --write"


@pytest.mark.parametrize(("yaml_text", "error"), [
    ("fitted_on: []\nprior_strength: 5\nprecision: 0.9\nn: 1\nextractors: {}\ntypo: 1\n", "typo"),
    ("fitted_on: []\nprior_strength: 5\nprecision: 1.2\nn: 1\nextractors: {}\n", "precision"),
    ("fitted_on: []\nprior_strength: 5\nprecision: 0.9\nn: 1\nextractors:\n  x: {n: 2, precision: 0.5,"
     " levels: [{raw: 0.6, n: 1, calibrated: 0.7}, {raw: 0.8, n: 1, calibrated: 0.5}]}\n", "decrease"),
])
def test_out_of_shape_file_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        yaml_text: str, error: str) -> None:
    (tmp_path / calibration.FILE).write_text(yaml_text, encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(tmp_path))
    with pytest.raises(RulesError, match=error):
        load(calibration.FILE, Calibration)


def test_extract_pdf_applies_the_calibration() -> None:
    pdf = sorted(PROJECT_CORPUS.glob("*.pdf"))[0]
    raw, cal = extract_pdf(pdf, calibrate=False), extract_pdf(pdf)
    mapping = calibration.load()

    def facts(r: ExtractResult) -> list:
        return r.report.extractions + [e for it in r.initiatives for e in it.extractions]

    pairs = list(zip(facts(raw), facts(cal)))
    assert pairs
    for r, c in pairs:
        assert (r.kind, r.value, r.extractor) == (c.kind, c.value, c.extractor)
        assert c.confidence == mapping.confidence(r.extractor, r.confidence)


@pytest.mark.parametrize(("confidence", "right", "want"), [(0.9, 9, 0.0), (0.95, 5, 0.45), (1.0, 10, 0.0)])
def test_ece_is_the_gap_between_confidence_and_precision(confidence: float, right: int, want: float) -> None:
    points = [Scored("d", True, confidence, i < right) for i in range(10)]
    assert ece(points) == pytest.approx(want)
    [(lo, hi, n, mean, precision)] = reliability(points)
    assert lo <= confidence <= hi and n == 10 and precision == right / 10
