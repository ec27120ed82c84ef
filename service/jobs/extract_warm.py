"""Imported once by the extraction fork server (service/jobs/extracting.py): fills the
extractor's lazy caches (spaCy pipeline, rule files, municipality gazetteer) so
that every child forked for a job starts with them, instead of spending seconds
rebuilding them per report. A failure here only costs that time: it is logged,
never raised, because an exception while the fork server preloads would stop it.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("relato.extracting")
SAMPLE = (
    "AMPLIAR O ATENDIMENTO DIGITAL\n\nForam realizados 12.500 atendimentos em julho de 2025, "
    "de dez/23 a out/25, com 80% dos municípios e R$ 1,2 milhão em Teófilo Otoni e Belo Horizonte."
)


def warm() -> None:
    try:
        from extractor import calibration
        from extractor.facts.base import FactContext
        from extractor.facts.pipeline import find_facts
        from extractor.structure import heading_rules

        heading_rules()
        calibration.load()
        find_facts(FactContext(text=SAMPLE, title_end=SAMPLE.index("\n"), status_date="2025-10"))
        gc.freeze()  # keep the collector off these pages, so forked children share them
    except Exception:  # noqa: BLE001 - see the module docstring
        log.exception("could not warm the extractor's caches; each extraction will load them itself")


warm()
