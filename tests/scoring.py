"""The scoring method of ../shared/tools/score.py, usable where ../shared is absent.

Facts are compared per paired initiative as sets of distinct (kind, value)
pairs; initiatives are paired greedily by folded-title similarity (>= 85).
``test_scoring_matches_shared_scorer`` keeps this in step with the shared tool.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from extractor.text import fold

KINDS = ("date", "period", "count", "percentage", "money", "municipality")


def fact_key(kind: str, v: Any) -> tuple | None:
    if kind == "period":
        return (kind, str(v.get("start")), str(v.get("end"))) if isinstance(v, dict) else None
    if kind in ("count", "money", "percentage"):
        try:
            return (kind, round(float(v), 4))
        except (TypeError, ValueError):
            return None
    return (kind, str(v))


def _facts(items: list[dict]) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    for f in items:
        k = fact_key(f.get("kind", ""), f.get("value"))
        if k is not None:
            out.setdefault(k, f)
    return out


def _pair(golds: list[dict], preds: list[dict]) -> list[tuple[int, int]]:
    cands = sorted(((fuzz.ratio(fold(g["title"]), fold(p["title"])), i, j)
                    for i, g in enumerate(golds) for j, p in enumerate(preds)), reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for s, i, j in cands:
        if s >= 85 and i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def score(gold: dict, pred: dict) -> dict[str, Any]:
    """Per-kind P/R/F1, initiative F1, unit/qualifier/area accuracy, status date, and misses."""
    golds = [{"title": g["title"], "area": g["area_number"], "facts": _facts(g["facts"])}
             for g in gold["initiatives"]]
    preds = [{"title": p.get("title", ""), "area": (p.get("area") or {}).get("number"),
              "facts": _facts(p.get("extractions", []))} for p in pred.get("initiatives", [])]
    pairs = _pair(golds, preds)
    counts = {k: [0, 0, 0] for k in KINDS}
    misses: list[tuple] = []
    alarms: list[tuple] = []
    unit = [0, 0]
    qual = [0, 0]
    for i, j in pairs:
        g, p = golds[i], preds[j]
        for k, f in g["facts"].items():
            if k in p["facts"]:
                counts[k[0]][0] += 1
                if k[0] == "count":
                    pe = p["facts"][k]
                    gu, pu = fold(f.get("unit") or ""), fold(pe.get("unit") or "")
                    unit[0] += bool(gu and pu and (gu in pu or pu in gu or fuzz.ratio(gu, pu) >= 80))
                    unit[1] += 1
                    qual[0] += f.get("qualifier", "exact") == (pe.get("qualifier") or "exact")
                    qual[1] += 1
            else:
                counts[k[0]][2] += 1
                misses.append((g["title"][:50], k, f.get("text")))
        for k, e in p["facts"].items():
            if k not in g["facts"] and k[0] in counts:
                counts[k[0]][1] += 1
                alarms.append((p["title"][:50], k, e.get("text")))
    paired_g = {i for i, _ in pairs}
    paired_p = {j for _, j in pairs}
    for i, g in enumerate(golds):
        if i not in paired_g:
            for k, f in g["facts"].items():
                counts[k[0]][2] += 1
                misses.append(("<unpaired> " + g["title"][:40], k, f.get("text")))
    for j, p in enumerate(preds):
        if j not in paired_p:
            for k, e in p["facts"].items():
                if k[0] in counts:
                    counts[k[0]][1] += 1
                    alarms.append(("<unpaired> " + p["title"][:40], k, e.get("text")))
    result: dict[str, Any] = {k: _prf(*v) for k, v in counts.items() if sum(v)}
    seg = _prf(len(pairs), len(preds) - len(pairs), len(golds) - len(pairs))
    result["initiatives"] = {"gold": len(golds), "pred": len(preds), "f1": seg["f1"]}
    result["unit_accuracy"] = round(unit[0] / unit[1], 4) if unit[1] else None
    result["qualifier_accuracy"] = round(qual[0] / qual[1], 4) if qual[1] else None
    result["status_date_ok"] = (pred.get("report") or {}).get("status_date") == gold.get("status_date")
    result["misses"], result["false_alarms"] = misses, alarms
    return result


def judged_facts(gold: dict, pred: dict) -> list[tuple[dict, bool]]:
    """Every scored predicted fact with whether :func:`score` counts it right.

    Each extraction of a predicted initiative (duplicates included: a reviewer sees
    each) is right when its (kind, value) is among the facts of the gold initiative
    it is paired with; facts of unpaired initiatives are wrong. Report-level facts
    are not scored per initiative, so they are not judged.
    """
    golds = [_facts(g["facts"]) for g in gold["initiatives"]]
    preds = pred.get("initiatives", [])
    paired = dict((j, i) for i, j in _pair(gold["initiatives"], preds))
    out = []
    for j, p in enumerate(preds):
        truth = golds[paired[j]] if j in paired else {}
        for e in p.get("extractions", []):
            k = fact_key(e.get("kind", ""), e.get("value"))
            if k is not None and k[0] in KINDS:
                out.append((e, k in truth))
    return out
