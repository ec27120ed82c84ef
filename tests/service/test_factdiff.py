"""Pairing one initiative's facts across two editions, and the "moved backwards" rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from service.editions.factdiff import moved_backwards, pair_facts
from service.editions.linking import plain, series_of, slug, title_similarity
from service.storage.models import Report


@dataclass
class F:
    text: str
    kind: str
    value: Any
    unit: str | None = None
    qualifier: str | None = None
    position: int = 0
    id: int | None = None


def facts(*items: F) -> list[F]:
    for n, item in enumerate(items):
        item.position, item.id = n, n
    return list(items)


def test_identical_first_then_same_unit_quantities_as_changes() -> None:
    before = facts(F("mais de 2.000 links", "count", 2000, "links", "at_least"), F("684 links", "count", 684, "links"),
                   F("cerca de 34%", "percentage", 34), F("abril de 2025", "date", "2025-04"))
    after = facts(F("mais de 2.000 links", "count", 2000.0, "links", "at_least"), F("1.146 links", "count", 1146, "links"),
                  F("cerca de 57%", "percentage", 57), F("setembro de 2025", "date", "2025-09"))
    pairing = pair_facts(before, after)
    assert [(b.text, a.text) for b, a in pairing.unchanged] == [("mais de 2.000 links", "mais de 2.000 links")]
    assert [(b.value, a.value) for b, a in pairing.changed] == [(684, 1146), (34, 57)]
    assert [a.text for a in pairing.added] == ["setembro de 2025"]  # a date has no continuity: added ...
    assert [b.text for b in pairing.removed] == ["abril de 2025"]  # ... and removed


def test_repeated_bimester_figures_stay_unchanged_and_new_ones_are_added() -> None:
    before = facts(F("41.205", "count", 41205, "atendimentos"), F("44.870", "count", 44870, "atendimentos"))
    after = facts(F("41.205", "count", 41205, "atendimentos"), F("44.870", "count", 44870, "Atendimentos"),
                  F("47.312", "count", 47312, "atendimentos"))
    pairing = pair_facts(before, after)
    assert len(pairing.unchanged) == 2 and not pairing.changed and not pairing.removed
    assert [a.value for a in pairing.added] == [47312]


@pytest.mark.parametrize(("before", "after", "backwards"), [
    (F("327 localidades", "count", 327, "localidades rurais"), F("312 localidades", "count", 312, "localidades rurais"), True),
    (F("305 localidades", "count", 305, "localidades rurais"), F("327 localidades", "count", 327, "localidades rurais"), False),
    (F("8 horas", "count", 8, "horas"), F("7 horas", "count", 7, "horas"), False),  # a duration may fall
    (F("Meta de 500 mil", "count", 500000, "contribuintes", "target"),
     F("Meta de 400 mil", "count", 400000, "contribuintes", "target"), False),  # a goal, not a running total
    (F("Cerca de 40%", "percentage", 40), F("Cerca de 36%", "percentage", 36), False),  # only counts
])
def test_moved_backwards(before: F, after: F, backwards: bool) -> None:
    assert moved_backwards(before, after, ignore_units=["horas", "dias"], ignore_qualifiers=["target"]) is backwards


@pytest.mark.parametrize(("a", "b", "linked"), [
    ("AMPLIAR O PIX NOS SERVIÇOS ESTADUAIS", "AMPLIAR O PIX EM SERVIÇOS ESTADUAIS", True),
    ("Expansão do Atendimento Digital nas UAIs", "EXPANSÃO DO ATENDIMENTO DIGITAL NAS UAIS", True),
    ("IMPLANTAR A REDE 4.0 DE CONECTIVIDADE DO ESTADO", "IMPLANTAR O PROTOCOLO DIGITAL NAS PREFEITURAS", False),
    ("REALIZAR O CENSO DE MATURIDADE DIGITAL DOS MUNICÍPIOS",
     "IMPLANTAR ASSISTENTE VIRTUAL COM INTELIGÊNCIA ARTIFICIAL NO ATENDIMENTO", False),
])
def test_title_similarity_against_the_shipped_threshold(a: str, b: str, linked: bool) -> None:
    from service.editions.linking import linking_rules

    rules = linking_rules()
    stop = set(rules.title_stopwords)

    def words(t: str) -> str:
        return " ".join(w for w in plain(t).split() if w not in stop)

    assert (title_similarity(words(a), words(b)) >= rules.min_title_similarity) is linked


def test_series_and_keys_ignore_case_and_accents() -> None:
    june = Report(id=1, sha256="a", filename="a.pdf", size_bytes=1, title="Transformação Digital — Painel de Iniciativas")
    october = Report(id=2, sha256="b", filename="b.pdf", size_bytes=1, title="TRANSFORMACAO DIGITAL - PAINEL DE INICIATIVAS")
    assert series_of(june) == series_of(october) == "transformacao digital painel de iniciativas"
    assert series_of(Report(id=7, sha256="c", filename="c.pdf", size_bytes=1, title=None)) == "report-7"
    assert slug("IMPLANTAR A REDE 4.0 DE CONECTIVIDADE") == "implantar-a-rede-4-0-de-conectividade"
