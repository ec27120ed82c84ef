"""The review page's server-side helpers, without a browser: reading typed values with
the extractor's finders, the municipality search, and the source sentence."""

from __future__ import annotations

from typing import Any

import pytest

from service.api.routes.assist import parse_value, search_municipalities
from service.api.routes.source_text import locate, sentence_around


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("date", "nov/24", "2024-11"),
    ("date", "2024-11", "2024-11"),
    ("date", "06/11/2024", "2024-11-06"),
    ("date", "novembro de 2024", "2024-11"),
    ("date", "setembro", "2025-09"),  # the year comes from the report's status date
    ("period", "dez/23 a out/25", {"start": "2023-12", "end": "2025-10"}),
    ("period", "1º bimestre de 2025", {"start": "2025-01", "end": "2025-02"}),
    ("period", "2024-01 a 2024-03", {"start": "2024-01", "end": "2024-03"}),
    ("period", "outubro de 2024 a agosto de 2025", {"start": "2024-10", "end": "2025-08"}),
    ("count", "255.766", 255766),
    ("count", "1,5 milhão", 1500000),
    ("count", "7 MILHÕES", 7000000),
    ("count", "quinze", 15),
    ("percentage", "28,79", 28.79),
    ("percentage", "68%", 68),
    ("money", "R$ 1,2 milhão", 1200000),
    ("money", "38,6 milhões", 38600000),
    ("municipality", "Teofilo Otoni", "3168606"),
    ("municipality", "RIBEIRÃO DAS NEVES", "3154606"),
    ("municipality", "sao joao del rei", "3162500"),
    ("municipality", "São Paulo", "3550308"),  # any state's municipality, named exactly
    ("municipality", "NATAL", "2408102"),
    ("municipality", "goiania", "5208707"),
    ("municipality", "Conselheiro Lafayette", "3118304"),  # a known alias
    ("municipality", "Santa Luzia", "3157807"),  # in several states: the report's (MG) one
])
def test_parse_reads_what_reviewers_type(kind: str, text: str, value: Any) -> None:
    parsed = parse_value(kind, text, "2025-10")
    assert parsed is not None and parsed.value == value


@pytest.mark.parametrize(("kind", "text"), [
    ("date", "amanhã"),
    ("date", "2024-13"),
    ("date", "dez/23 a out/25"),  # a period is not a date
    ("period", "nov/24"),
    ("period", "outubro a agosto de 2025"),  # not 2024-10 to 2025-08: an end before its start is asked

    ("count", "muitos"),
    ("municipality", "Minas Gerais"),
    # a fuzzy best match is a guess, never a parse: the reviewer picks from the list
    ("municipality", "Belo"),  # Belo Horizonte? Belo Oriente? Belo Vale?
    ("municipality", "Palmas"),  # TO and PR, none in MG (not Palma, MG)
    ("municipality", "sao joao del rey"),
    ("municipality", "Vitoria da"),
    ("municipality", "Santa Vitória do Palma"),  # names Santa Vitória (MG) inside, but is not it
    ("municipality", "Itaúna do"),  # a name cut short is not the shorter name
])
def test_parse_refuses_what_is_not_the_kind(kind: str, text: str) -> None:
    assert parse_value(kind, text, "2025-10") is None


def test_parse_keeps_unit_and_qualifier_the_text_names() -> None:
    parsed = parse_value("count", "mais de 5.000 links")
    assert parsed is not None and (parsed.value, parsed.unit, parsed.qualifier) == (5000, "links", "at_least")


@pytest.mark.parametrize(("query", "first"), [
    ("teofilo", "Teófilo Otoni"),
    ("belo hor", "Belo Horizonte"),
    ("ribeirao neves", "Ribeirão das Neves"),
    ("Conselheiro Lafayette", "Conselheiro Lafaiete"),  # an alias spelling
    ("3106200", "Belo Horizonte"),
])
def test_municipality_search_ranks_the_meant_one_first(query: str, first: str) -> None:
    assert search_municipalities(query, 5)[0].name == first


def test_municipality_search_covers_every_state_with_the_reports_first() -> None:
    found = search_municipalities("porto", 10)
    assert len(found) == 10 and (found[0].name, found[0].exact) == ("Porto", True)  # Porto, PI
    assert [m.uf for m in found[1:4]] == ["MG"] * 3  # then the report's state
    assert [(m.name, m.uf, m.exact) for m in search_municipalities("Porto Velho", 3)][0] == ("Porto Velho", "RO", True)
    assert [m.uf for m in search_municipalities("Santa Luzia", 3, "PB")][:1] == ["PB"]
    belo = search_municipalities("Belo", 5)
    assert not any(m.exact for m in belo) and {"Belo Horizonte", "Belo Oriente"} <= {m.name for m in belo}


TEXT = ("Atendimentos digitais realizados nas UAIs:\n• 1º bimestre: 41.205\n• 2º bimestre: 44.870\n"
        "Em 2025 foram realizadas 1,8 milhão de transações via Pix, que somaram\nR$ 412,5 milhões arrecadados. "
        "Em 2025 o portal mudou.\nMunicípio\tUnidades\nMontes Claros\t12")


@pytest.mark.parametrize(("needle", "nth", "sentence", "marked"), [
    ("44.870", 0, "Atendimentos digitais realizados nas UAIs: … • 2º bimestre: 44.870", "44.870"),
    ("R$ 412,5 milhões", 0, "Em 2025 foram realizadas 1,8 milhão de transações via Pix, que somaram "
     "R$ 412,5 milhões arrecadados.", "R$ 412,5 milhões"),
    ("somaram R$ 412,5", 0, None, "somaram\nR$ 412,5"),  # a fact across a line break
    ("2025", 1, "Em 2025 o portal mudou.", "2025"),
    ("12", 0, "Montes Claros | 12", "12"),
])
def test_source_sentence_marks_the_fact(needle: str, nth: int, sentence: str | None, marked: str) -> None:
    span = locate(TEXT, needle, nth)
    assert span is not None and TEXT[span[0]:span[1]] == marked
    got, (start, end) = sentence_around(TEXT, *span)
    if sentence is not None:
        assert got == sentence
    assert got[start:end] == " ".join(marked.split())


def test_source_sentence_absent_text() -> None:
    assert locate(TEXT, "Uberlândia") is None
