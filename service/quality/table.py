"""The quality report as plain-text tables for the terminal (`relato quality`), rendered
from the same QualityPublic the API returns, so both show the same numbers."""

from __future__ import annotations

from collections.abc import Sequence

from service.quality.schemas import PrecisionRow, QualityPublic


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A titled table: numbers right-aligned, text left-aligned, the first column always left."""
    cells = [list(header)] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [i > 0 and all(v is None or isinstance(v, int | float) for v in (row[i] for row in rows))
               for i in range(len(header))]
    lines = [title, "  ".join(h.rjust(w) if numeric[i] else h.ljust(w)
                              for i, (h, w) in enumerate(zip(cells[0], widths))).rstrip()]
    lines += ["  ".join(c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))).rstrip()
              for row in cells[1:]]
    if not rows:
        lines.append("(none)")
    return lines + [""]


PRECISION_HEADER = ("key", "decided", "confirmed", "corrected", "rejected", "pending", "precision", "ci_low", "ci_high")


def _precision_rows(rows: Sequence[PrecisionRow]) -> list[list[object]]:
    return [[r.key if r.key is not None else "(no series)", r.decided, r.confirmed, r.corrected, r.rejected,
             r.pending, r.precision, r.ci_low, r.ci_high] for r in rows]


def render(q: QualityPublic) -> str:
    """Every section of the report, one table each, in the order of the JSON."""
    out = [f"quality at change {_cell(q.through_change)} (confirm = right; correct or reject = wrong; "
           "95 % Wilson intervals)", ""]
    out += _table("precision, all", PRECISION_HEADER, _precision_rows([q.all]))
    out += _table("precision by extractor", PRECISION_HEADER, _precision_rows(q.by_extractor))
    out += _table("precision by kind", PRECISION_HEADER, _precision_rows(q.by_kind))
    out += _table("precision by series", PRECISION_HEADER, _precision_rows(q.by_series))
    out += _table("precision by report", (*PRECISION_HEADER, "added", "filename", "drift"),
                  [[*_precision_rows([r])[0], r.added, r.filename, ",".join(f.extractor for f in r.drift) or "–"]
                   for r in q.by_report])
    out += _table("misses (facts added by hand)", ("key", "added"),
                  [["all", q.misses.all]] + [[m.key, m.added] for m in q.misses.by_kind]
                  + [[f"report {m.key}", m.added] for m in q.misses.by_report])
    recall = [q.recall.all, *q.recall.by_kind, *q.recall.by_report]
    out += _table("recall on pages marked complete", ("key", "pages", "found", "corrected", "added", "pending",
                                                      "recall", "ci_low", "ci_high"),
                  [[r.key if r.report_id is None else f"report {r.key}", r.pages, r.found, r.corrected, r.added,
                    r.pending, r.recall, r.ci_low, r.ci_high] for r in recall])
    out += _table(f"reliability (extraction confidence; ECE {_cell(q.reliability.ece)} over "
                  f"{q.reliability.decided} decided)",
                  ("confidence", "decided", "confirmed", "mean_confidence", "precision", "ci_low", "ci_high"),
                  [[f"{b.bin_low:.1f}–{b.bin_high:.1f}", b.decided, b.confirmed, b.mean_confidence, b.precision,
                    b.ci_low, b.ci_high] for b in q.reliability.bins])
    out += _table(f"refitted confidence (extractors with >= {q.refit_min_decided} decided)",
                  ("extractor", "confidence", "decided", "confirmed", "mean_confidence", "refitted"),
                  [[r.extractor, f"{b.bin_low:.2f}–{b.bin_high:.2f}", b.decided, b.confirmed, b.mean_confidence,
                    b.refitted] for r in q.refits for b in r.bins if b.decided])
    out += _table("drift (precision on a report far below the extractor's running figure)",
                  ("report", "extractor", "decided", "precision", "running_decided", "running_precision", "drop"),
                  [[f.report_id, f.extractor, f.decided, f.precision, f.running_decided, f.running_precision, f.drop]
                   for f in q.drift])
    return "\n".join(out).rstrip() + "\n"
