"""A bound on the facts one report may store (RELATO_MAX_FACTS_PER_PAGE, _PER_REPORT).

A 4.5 KB PDF of repeated numbers yielded 20,000 pending facts and 150-190 MB of growth
in the process that stored them (issue 23): nobody reviews that, and it costs every
later list of the report. Past a cap the report is still `done`: the facts are kept in
reading order (the report's own, then each initiative's) up to the cap, and a warning
counts the ones dropped, so an operator sees that the file is unusual.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from extractor.model import Extraction, ExtractResult
from service.jobs import extracting
from service.storage.config import Settings


def extract_capped(settings: Settings, path: Path, filename: str) -> ExtractResult:
    """Extract `path` in a child process (service/jobs/extracting.py) and cap its facts: what
    a first extraction and a re-extraction store, whether a worker or `relato reextract` runs it."""
    return cap_facts(extracting.extract(path, filename=filename),
                     per_page=settings.max_facts_per_page, per_report=settings.max_facts_per_report)


def cap_facts(result: ExtractResult, *, per_page: int, per_report: int) -> ExtractResult:
    """`result` with at most `per_page` facts on any page and `per_report` in all, and a
    warning naming what was dropped; `result` itself when nothing was."""
    on_page: Counter[int] = Counter()
    kept_total = 0
    dropped_by_page, dropped_by_report = 0, 0

    def keep(facts: list[Extraction]) -> list[Extraction]:
        nonlocal kept_total, dropped_by_page, dropped_by_report
        kept = []
        for fact in facts:
            if on_page[fact.page] >= per_page:
                dropped_by_page += 1
            elif kept_total >= per_report:
                dropped_by_report += 1
            else:
                on_page[fact.page] += 1
                kept_total += 1
                kept.append(fact)
        return kept

    report_facts = keep(list(result.report.extractions))
    initiatives = [item.model_copy(update={"extractions": keep(list(item.extractions))}) for item in result.initiatives]
    if not dropped_by_page and not dropped_by_report:
        return result
    parts = []
    if dropped_by_page:
        parts.append(f"{dropped_by_page} past {per_page} on one page (RELATO_MAX_FACTS_PER_PAGE)")
    if dropped_by_report:
        parts.append(f"{dropped_by_report} past {per_report} in the report (RELATO_MAX_FACTS_PER_REPORT)")
    warning = (f"{dropped_by_page + dropped_by_report} facts were dropped, " + " and ".join(parts)
               + f"; {kept_total} kept")
    return result.model_copy(update={
        "report": result.report.model_copy(update={"extractions": report_facts}),
        "initiatives": initiatives,
        "warnings": [*result.warnings, warning],
    })
