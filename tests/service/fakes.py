"""A fixed ExtractResult standing in for the extractor, and helpers that drive the worker."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import Engine

from extractor.model import Area, Extraction, ExtractResult, Initiative, Report, Source
from service.jobs.worker import claim_next, process, worker_identity
from service.storage.config import Settings

BBOX = (72.0, 180.2, 190.5, 196.0)
WRAPPED = (72.0, 198.0, 120.4, 213.8)  # the second line of a fact that wraps


def _fact(kind: str, text: str, value: object, **extra: object) -> Extraction:
    return Extraction(kind=kind, text=text, value=value, page=2, bbox=BBOX,  # type: ignore[arg-type]
                      extractor=f"rules.{kind}", confidence=0.9, **extra)  # type: ignore[arg-type]


def fake_result(path: Path, filename: str | None) -> ExtractResult:
    """Two initiatives in two areas, one fact of each kind, one fact on the cover; status
    date 2025-10, or the YYYY-MM a file name ends with (another edition of the series)."""
    named = re.search(r"(\d{4}-\d{2})\.pdf$", filename or "")
    facts = [
        _fact("period", "dez/23 a out/25", {"start": "2023-12", "end": "2025-10"}),
        _fact("count", "255.766 Acionamentos", 255766, unit="acionamentos", qualifier="exact"),
        _fact("percentage", "68%", 68),
        _fact("municipality", "Teofilo Otoni", "3168606", name="Teófilo Otoni"),
    ]
    second = [
        _fact("money", "R$ 1,2 milhão", 1200000, lines=[BBOX, WRAPPED]),  # printed over two lines
        _fact("date", "julho de 2025", "2025-07"),
    ]
    return ExtractResult(
        source=Source(filename=filename or path.name, sha256=hashlib.sha256(path.read_bytes()).hexdigest(), pages=2),
        report=Report(title="INICIATIVAS DE GOVERNO DIGITAL 2024 - 2026",
                      status_date=named.group(1) if named else "2025-10",
                      extractions=[_fact("date", "OUTUBRO 2025", "2025-10")]),
        initiatives=[
            Initiative(title="EXPANSÃO DO EMERGÊNCIA MG", area=Area(number=1, name="GESTÃO E GOVERNANÇA"),
                       pages=[2], text="Estatísticas (dez/23 a out/25): 255.766 Acionamentos", extractions=facts),
            Initiative(title="AMPLIAR O ATENDIMENTO DIGITAL", area=Area(number=2, name="SERVIÇOS DIGITAIS"),
                       pages=[2], text="R$ 1,2 milhão em julho de 2025", extractions=second),
        ],
    )


def drain_queue(engine: Engine, settings: Settings) -> int:
    """Run one in-process worker until nothing is claimable; returns reports completed."""
    worker_id, done = worker_identity(), 0
    while (claim := claim_next(engine, settings, worker_id)) is not None:
        done += process(engine, settings, claim)
    return done
