"""Rules for reports from any publisher (EXTRACTION-GUIDE.md, "Reports from any publisher").

Each table row is a sentence of our own in the way bulletins, decks and results
reports from other state bodies write: compound durations, rates and their
denominators, scale end points, factors, elided units, a space or line break
before "%", phone and clock numbers, source citations, months with no year,
cover and masthead dates, and numbers set apart from their row label.
"""

from __future__ import annotations

import pytest
import spacy

from extractor.facts.base import FactContext
from extractor.facts.dates import find_dates
from extractor.facts.numbers import find_numbers
from extractor.facts.pipeline import find_facts, status_date
from extractor.layout import Line, PageLayout, pair_lone_values
from extractor.report_date import cover_status
from tests.extractor.wordkit import words

NLP = spacy.blank("pt")


def numbers(text: str, status: str | None = "2025-10") -> dict[tuple[str, float], tuple[str | None, str | None]]:
    ctx = FactContext(text=text, status_date=status)
    return {(c.kind, round(float(c.value), 4)): (c.unit, c.qualifier) for c in find_numbers(NLP(text), ctx)}


# (text, {(kind, value): (unit, qualifier)}) — unit None means "no noun written"
COUNTS = [
    ("Tempo do robô: 1min20s por registro", {("count", 80): ("segundos", "exact")}),
    ("A rotina manual leva 3min45s.", {("count", 225): ("segundos", "exact")}),
    ("Cada conferência leva 1 h 15 min", {("count", 75): ("minutos", "exact")}),
    ("Recebemos cerca de 40/dia pelo portal.", {("count", 40): ("por dia", "approx")}),
    ("A central recebe 12 por semana.", {("count", 12): ("por semana", "exact")}),
    ("Tempo médio p/ 1 atendimento: 45 segundos", {("count", 45): ("segundos", "exact")}),
    ("Taxa de 3,2 óbitos por 100 mil habitantes.", {("count", 3.2): ("óbitos", "exact")}),
    ("A cada 1.000 nascidos vivos, 12 óbitos infantis.", {("count", 12): ("óbitos", "exact")}),
    ("Avaliação (escala de 1 a 5): média de 4,7.", {("count", 4.7): ("média", "exact")}),
    ("Os alunos deram notas de 0 a 10 ao curso.", {}),
    ("O novo fluxo é 3 X mais rápido.", {("count", 3): ("x mais rápido", "exact")}),
    ("O processo ficou 2 vezes mais barato.", {("count", 2): ("vezes mais barato", "exact")}),
    ("Intervalo de 28 a 44 seg entre registros.", {("count", 28): ("seg", "exact"), ("count", 44): ("seg", "exact")}),
    ("Economia de 58 h e de 4,35 min por processo.", {("count", 58): ("h", "exact"), ("count", 4.35): ("min", "exact")}),
    ("Redução de 43,4 % do tempo.", {("percentage", 43.4): (None, "exact")}),
    ("Redução de 43,4\n% do tempo.", {("percentage", 43.4): (None, "exact")}),
    ("Foram vendidas 200 camisetas. Destas, 150 foram entregues e 50 não foram retiradas.",
     {("count", 200): ("camisetas", "exact"), ("count", 150): ("camisetas entregues", "exact"),
      ("count", 50): ("camisetas não retiradas", "exact")}),
    ("Dos alunos matriculados, 80 concluíram o curso e 12 desistiram.",
     {("count", 80): ("alunos", "exact"), ("count", 12): ("alunos", "exact")}),
    ("Foram 900 chamados. Deste total, foram resolvidos 850 no primeiro contato.",
     {("count", 900): ("chamados", "exact"), ("count", 850): ("chamados", "exact")}),
    ("Portal: cerca de 500 em 2 semanas;", {("count", 500): (None, "approx"), ("count", 2): ("semanas", "exact")}),
    ("Em março = 210", {("count", 210): (None, "exact")}),
    # a dashboard figure alone on its line under its label in capitals (a bracketed note
    # between them is skipped)
    ("VACINAS APLICADAS\n1.204.388\nPESSOAS INTERNADAS\n(LEITOS CLÍNICOS E UTI)\n311",
     {("count", 1204388): ("vacinas aplicadas", "exact"), ("count", 311): ("pessoas internadas", "exact")}),
]

NOT_COUNTS = [
    "Denúncias pelo Disque-Denúncia (181) ou pelo Disque 100.",
    "Contato — Tel: 31 39155755 e-mail: atendimento@exemplo.mg.gov.br",
    "Dados recebidos até as 23:59h do último dia.",
    "Coleta encerrada às 09 h47min.",
    "O lançamento é feito uma única vez por servidor.",
    "Tempo médio p/ 1 operação:",
    "Inscrição 22661620750210001 trabalho no cadastro estadual.",
    "Unidade gestora 00001 gestão central.",
    "Secretaria de Estado de Cultura ........................ .\t11",
    "Ineditoriais ....................................... 31",
    # a chart's data labels in mixed case may sit above or below their values
    "Masculino\n412\nFeminino\n530",
    "O relatório segue abaixo.\n17",
]


@pytest.mark.parametrize(("text", "expected"), COUNTS, ids=[t[:40] for t, _ in COUNTS])
def test_counts_from_any_publisher(text: str, expected: dict) -> None:
    got = numbers(text)
    assert set(got) == {(k, round(float(v), 4)) for k, v in expected}, got
    for (kind, value), (unit, qualifier) in expected.items():
        got_unit, got_qualifier = got[(kind, round(float(value), 4))]
        if kind == "count":
            assert got_unit == unit
        assert (got_qualifier or "exact") == qualifier


@pytest.mark.parametrize("text", NOT_COUNTS)
def test_phone_clock_and_article_numbers_are_not_counts(text: str) -> None:
    facts = find_facts(FactContext(text=text, status_date="2025-10"))
    assert not [c for c in facts if c.kind == "count"], facts


@pytest.mark.parametrize(("text", "status", "expected"), [
    ("Fonte: Secretaria de Estado de Saúde, 2024.", None, ["2024"]),
    ("Fonte: OuvidorSUS, 2025", "2025-12", ["2025"]),
    ("Elaboração: Diretoria de Dados, 2023.", None, ["2023"]),
    # no year anywhere and no status date: the month keeps no year
    ("Lançamentos nos meses de março e abril.", None, ["--03", "--04"]),
    ("Prazo até 22/08 para o envio.", None, ["--08-22"]),
    # ... but with a status date the year comes from it (guide, rule 3)
    ("Lançamentos nos meses de março e abril.", "2025-10", ["2025-03", "2025-04"]),
])
def test_citation_years_and_months_without_year(text: str, status: str | None, expected: list[str]) -> None:
    got = [c.value for c in find_dates(NLP(text), FactContext(text=text, status_date=status))]
    assert got == expected


def test_a_yearless_month_is_never_a_status_month() -> None:
    assert status_date("neste sábado, 22 de janeiro") is None
    assert status_date("Relatório 2024 - 2026", need_month=True) is None
    assert status_date("22 de janeiro\nde 2022", need_month=True) == "2022-01"


def _layout(number: int, rows: list[tuple[str, float, float]], furniture: list[tuple[str, float, float]] = (),
            height: float = 842) -> PageLayout:
    def lines(spec):
        return [Line(words=tuple(words(t, 60, top, size=size, page=number)), page=number, block=i)
                for i, (t, top, size) in enumerate(spec)]
    return PageLayout(number=number, width=595, height=height, lines=lines(rows), furniture=lines(furniture))


def test_masthead_date_is_the_status_month_and_a_report_fact() -> None:
    first = _layout(1, [("Boletim epidemiológico", 200, 12), ("neste sábado, 22 de janeiro, foram", 240, 10)],
                    furniture=[("22 de janeiro", 40, 9), ("de 2022", 52, 9)])
    month, dated = cover_status([first], lambda t: status_date(t, need_month=True))
    assert month == "2022-01"
    assert [ln.text for ln in dated] == ["22 de janeiro", "de 2022"]


def test_cover_after_two_slides_gives_the_status_month() -> None:
    slides = [_layout(n, [("Resultados do projeto", 90, 28),
                          ("Tempo médio de 60 segundos em 2022 e 2023", 200, 16)]) for n in (1, 2)]
    cover = _layout(3, [("Automação de Certidões", 120, 47), ("Relatório final", 180, 21),
                        ("Novembro de 2023", 220, 14)])
    month, dated = cover_status([*slides, cover], lambda t: status_date(t, need_month=True))
    assert month == "2023-11" and [ln.text for ln in dated] == ["Novembro de 2023"]


def test_no_printed_date_means_no_status_month() -> None:
    pages = [_layout(1, [("Fluxo de alteração de férias", 90, 28), ("Lançamentos nos meses de janeiro", 200, 16)])]
    assert cover_status(pages, lambda t: status_date(t, need_month=True)) == (None, [])


def test_a_lone_number_goes_back_beside_its_row_label() -> None:
    def line(text: str, x: float, top: float, block: int) -> Line:
        return Line(words=tuple(words(text, x, top, size=25)), page=1, block=block)
    lines = [line("SMS - municípios", 60, 530, 0), line("SES - unidades regionais", 60, 578, 1),
             line("Fonte: Ouvidoria, 2025", 60, 720, 2), line("262", 500, 531, 3), line("28", 500, 579, 4)]
    got = pair_lone_values(lines)
    assert [ln.text for ln in got] == ["SMS - municípios\t262", "SES - unidades regionais\t28",
                                       "Fonte: Ouvidoria, 2025"]


def test_a_value_beside_another_value_stays_where_it_was() -> None:
    """ "32,8h" beside a lone "43,4" is no row label: labels have no digits."""
    a = Line(words=tuple(words("32,8h", 60, 300, size=16)), page=1, block=0)
    b = Line(words=tuple(words("43,4", 300, 300, size=16)), page=1, block=1)
    assert pair_lone_values([a, b]) == [a, b]


@pytest.mark.parametrize(("text", "unit"), [
    ("Média de 171 solicitações de alteração por mês.", "solicitações de alteração"),
    ("Emissão de 5.255 certidões do IPSEMG.", "certidões do ipsemg"),
    ("Foram instalados 186 totens de autoatendimento.", "totens de autoatendimento"),
    # a place or a name after "de" is not what is counted
    ("Foram atendidas 15 escolas de Uberlândia.", "escolas"),
    ("Foram 40 casos de janeiro a março.", "casos"),
])
def test_unit_takes_a_de_complement_naming_the_kind(text: str, unit: str) -> None:
    got = [u for (kind, _), (u, _) in numbers(text).items() if kind == "count"]
    assert got == [unit]
