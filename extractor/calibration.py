"""Calibrated confidence: a fact's confidence is how often facts like it are right.

Each finder gives a *raw* confidence, a rule author's guess (0.95 for a unit read
right after the number, 0.7 for one taken from a table header ...). Reviewers'
queues are ordered by confidence, so it must mean precision: of the facts shown at
0.9, about 9 in 10 should be right. ``rules/calibration.yaml`` maps raw confidence
to observed precision per extractor id; it is data, fitted on the gold sets by
``bench/calibrate.py --write`` (never edited by hand), and applied in one place:
:func:`apply` at the end of :func:`extractor.pipeline.extract_pdf`.

The fit (:func:`fit`) is deliberately simple, for small samples: per extractor and
raw-confidence level, the share of its facts that are right, shrunk (Beta prior,
``prior_strength`` pseudo-facts) towards the raw confidence itself; then made
non-decreasing in raw confidence by pooling adjacent violators, so a surer rule
never ranks below a less sure one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field, model_validator

from extractor.rulebook import RulesModel, cached_load

if TYPE_CHECKING:
    from extractor.model import ExtractResult

FILE = "calibration.yaml"
PRIOR_STRENGTH = 2.0


@dataclass(frozen=True)
class Sample:
    """One predicted fact of a gold document: who found it, how sure, and whether it is right."""

    extractor: str
    raw: float
    correct: bool


class Level(RulesModel):
    """Facts an extractor gave raw confidence ``raw``: how many, and their calibrated confidence."""

    model_config = ConfigDict(extra="forbid")
    raw: float = Field(ge=0.0, le=1.0)
    n: int = Field(ge=0)
    calibrated: float = Field(ge=0.0, le=1.0)


class Curve(RulesModel):
    """One extractor's mapping; ``precision`` serves an extractor with no levels."""

    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=0)
    precision: float = Field(ge=0.0, le=1.0)
    levels: list[Level] = []

    @model_validator(mode="after")
    def _monotone(self) -> Curve:
        raws = [lv.raw for lv in self.levels]
        if raws != sorted(set(raws)):
            raise ValueError("levels must be in strictly increasing raw order")
        cal = [lv.calibrated for lv in self.levels]
        if any(a > b for a, b in zip(cal, cal[1:])):
            raise ValueError("calibrated confidence must not decrease as raw confidence grows")
        return self

    def __call__(self, raw: float) -> float:
        """Calibrated confidence at ``raw``: linear between fitted levels, flat beyond them."""
        lv = self.levels
        if not lv:
            return self.precision
        i = bisect_left([x.raw for x in lv], raw)
        if i == 0:
            return lv[0].calibrated
        if i == len(lv):
            return lv[-1].calibrated
        lo, hi = lv[i - 1], lv[i]
        t = (raw - lo.raw) / (hi.raw - lo.raw)
        return lo.calibrated + t * (hi.calibrated - lo.calibrated)


class Calibration(RulesModel):
    """The whole of ``rules/calibration.yaml``."""

    model_config = ConfigDict(extra="forbid")
    fitted_on: list[str] = Field(description="the gold documents of the fit")
    prior_strength: float = Field(gt=0)
    precision: float = Field(ge=0.0, le=1.0, description="all extractors: serves unknown ids")
    n: int = Field(ge=0)
    extractors: dict[str, Curve]

    def confidence(self, extractor: str, raw: float) -> float:
        """Calibrated confidence of a fact ``extractor`` found with ``raw`` confidence.

        An extractor the gold sets never saw fire (a new rule, or a rare one such as
        fuzzy municipality matching) has no evidence of its own: it is taken no surer
        than its raw confidence nor than the global precision, keeping its own order.
        """
        curve = self.extractors.get(extractor)
        return round(curve(raw) if curve else min(raw, self.precision), 3)


def load() -> Calibration:
    """``rules/calibration.yaml``, validated (cached)."""
    return cached_load(FILE, Calibration)


# A fact on a number OCR read poorly twice (extractor/ocr.py, _reread_numbers) carries
# this warning and at most this confidence, whatever its finder's record: it is reviewed first.
LOW_NUMBER_WARNING = "número lido com baixa confiança"
LOW_NUMBER_CONFIDENCE = 0.3


def apply(result: ExtractResult, calibration: Calibration | None = None) -> ExtractResult:
    """Replace every fact's raw confidence in ``result`` by its calibrated one (in place)."""
    cal = calibration or load()
    for e in [*result.report.extractions, *(x for it in result.initiatives for x in it.extractions)]:
        e.confidence = cal.confidence(e.extractor, e.confidence)
        if e.warning == LOW_NUMBER_WARNING:  # a number read poorly stays doubtful
            e.confidence = min(e.confidence, LOW_NUMBER_CONFIDENCE)
    return result


def _shrunk(k: float, n: float, prior: float, strength: float) -> float:
    return (k + strength * prior) / (n + strength)


def _pool_adjacent_violators(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``values`` in weighted least squares."""
    blocks: list[list[float]] = []  # [mean, weight, length]
    for v, w in zip(values, weights):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    return [b[0] for b in blocks for _ in range(int(b[2]))]


def fit(samples: Iterable[Sample], *, fitted_on: list[str] | None = None,
        prior_strength: float = PRIOR_STRENGTH) -> Calibration:
    """Fit a monotone raw -> calibrated mapping per extractor (see the module docstring)."""
    samples = list(samples)
    k_all = sum(s.correct for s in samples)
    glob = _shrunk(k_all, len(samples), 0.5, 2.0)  # Laplace: no data -> 0.5
    by_ext: dict[str, dict[float, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for s in samples:
        cell = by_ext[s.extractor][round(s.raw, 3)]
        cell[0] += s.correct
        cell[1] += 1
    curves: dict[str, Curve] = {}
    for ext, levels in sorted(by_ext.items()):
        k_e = sum(k for k, _ in levels.values())
        n_e = sum(n for _, n in levels.values())
        p_e = _shrunk(k_e, n_e, glob, prior_strength)
        raws = sorted(levels)
        # each level's prior is its raw confidence, the rule author's belief: evidence
        # moves it, and a level the gold rarely shows stays near what its rule claims
        # (so the queue keeps the rules' order where the gold sets cannot tell levels
        # apart, instead of tying every fact at the global precision)
        smooth = [_shrunk(k, n, r, prior_strength) for r, (k, n) in ((r, levels[r]) for r in raws)]
        mono = _pool_adjacent_violators(smooth, [levels[r][1] + prior_strength for r in raws])
        curves[ext] = Curve(n=n_e, precision=round(p_e, 3), levels=[
            Level(raw=r, n=levels[r][1], calibrated=round(c, 3)) for r, c in zip(raws, mono)])
    return Calibration(fitted_on=sorted(fitted_on or []), prior_strength=prior_strength,
                       precision=round(glob, 3), n=len(samples), extractors=curves)
