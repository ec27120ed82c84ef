"""One kind per table column: counts, percentages, money, read from the column's whole
header (over one, two or three rows, group headers over several columns), the table's
caption, and the report (a financial statement is in reais).

Strings are written the way bulletins and statements from many bodies print them,
none copied from the real corpus.
"""

from __future__ import annotations

import pytest
import spacy

from extractor.facts.base import FactContext
from extractor.facts.columns import header_columns, is_financial_statement, join_header
from extractor.facts.numbers import find_numbers

NLP = spacy.blank("pt")


def _numbers(text: str, *, statement: bool = False) -> set[tuple[str, float, str | None]]:
    ctx = FactContext(text=text, status_date="2025-10", statement=statement)
    return {(c.kind, float(c.value), c.unit) for c in find_numbers(NLP(text), ctx)}


@pytest.mark.parametrize(("parts", "phrase"), [
    (["Casos", "confirmados"], "Casos confirmados"),
    (["CASOS", "CONFIRMAD", "OS"], "CASOS CONFIRMADOS"),
    (["Óbitos", "", "acumulados"], "Óbitos acumulados"),
    (["Valor", "(R$)"], "Valor (R$)"),
    (["Total de", "atendimentos"], "Total de atendimentos"),
])
def test_header_rows_of_one_column_read_as_one_phrase(parts: list[str], phrase: str) -> None:
    assert join_header(parts) == phrase


def test_a_group_header_heads_every_column_of_its_group() -> None:
    rows = [["", "CASOS", "", "ÓBITOS", ""], ["Município", "Nº", "%", "Nº", "%"]]
    assert header_columns(rows) == ["Município", "CASOS Nº", "CASOS %", "ÓBITOS Nº", "ÓBITOS %"]


@pytest.mark.parametrize("title", [
    "BALANCETE FINANCEIRO - Período: 01/01/2019 a 31/12/2019",
    "Relatório Resumido da Execução Orçamentária - RREO",
    "DEMONSTRATIVO DAS RECEITAS E DESPESAS COM AÇÕES DE SAÚDE",
    "Prestação de Contas Anual do Convênio 12/2020",
    "RGF - Anexo 1 - Demonstrativo da Despesa com Pessoal",
    "Relatório de Gestão – Balanço Anual 2018",
])
def test_financial_statements_are_named_in_their_titles(title: str) -> None:
    assert is_financial_statement(title)


@pytest.mark.parametrize("title", [
    "Painel de Iniciativas Estratégicas - Outubro 2025",
    "BOLETIM EPIDEMIOLÓGICO COVID-19",
    "Relatório de atividades da Ouvidoria",
])
def test_other_reports_are_not_financial_statements(title: str) -> None:
    assert not is_financial_statement(title)


@pytest.mark.parametrize(("text", "expected"), [
    # a "%" column beside each count column
    ("\tMunicípio\tCasos\t%\tÓbitos\t%\n1\tLagoa Seca\t120\t12,5\t3\t2,5\n"
     "2\tRio Claro\t98\t10,2\t0\t0,0\n3\tAlmas\t40\t4,2\t1\t0,8",
     {("count", 120, "casos"), ("percentage", 12.5, None), ("count", 3, "óbitos"),
      ("percentage", 2.5, None), ("count", 98, "casos"), ("percentage", 10.2, None),
      ("count", 0, "óbitos"), ("percentage", 0.0, None), ("count", 40, "casos"),
      ("percentage", 4.2, None), ("count", 1, "óbitos"), ("percentage", 0.8, None)}),
    # words that say percentage: "Percentual", "Proporção", "Taxa (%)"
    ("Unidade\tAtendimentos\tPercentual\nNorte\t310\t41\nSul\t450\t59",
     {("count", 310, "atendimentos"), ("percentage", 41, None), ("count", 450, "atendimentos"),
      ("percentage", 59, None)}),
    ("Regional\tProporção de cura\tTaxa (%)\nLeste\t88,1\t3,2\nOeste\t91,4\t2,7",
     {("percentage", 88.1, None), ("percentage", 3.2, None), ("percentage", 91.4, None),
      ("percentage", 2.7, None)}),
    # a group header over "Nº | %": the count takes the group's name
    ("\tCASOS\t\tÓBITOS\t\nMunicípio\tNº\t%\tNº\t%\nVila Nova\t35\t70,0\t2\t50,0\n"
     "Campo Alto\t15\t30,0\t2\t50,0",
     {("count", 35, "casos"), ("percentage", 70, None), ("count", 2, "óbitos"),
      ("percentage", 50, None), ("count", 15, "casos"), ("percentage", 30, None)}),
    # a header over two lines, a word broken across them
    ("Município\tCasos\tÓbitos\n\tCONFIRMAD\tCONFIRMAD\n\tOS\tOS\nVila Nova\t1.204\t33\n"
     "Campo Alto\t809\t12",
     {("count", 1204, "casos confirmados"), ("count", 33, "óbitos confirmados"),
      ("count", 809, "casos confirmados"), ("count", 12, "óbitos confirmados")}),
    # money columns: "Valor (R$)" beside a count column
    ("Contrato\tQtde de veículos\tValor (R$)\nLocação A\t12\t45.300,00\nLocação B\t4\t12.000,50",
     {("count", 12, "veículos"), ("money", 45300, None), ("count", 4, "veículos"),
      ("money", 12000.5, None)}),
    # a caption "Em R$ 1,00" types the whole table; the note itself is no amount
    ("Tabela 2 - Receitas por fonte (Em R$ 1,00)\nFonte\tPrevisto\tRealizado\n"
     "Impostos\t1.200.000\t1.180.450\nTransferências\t800.000\t812.300",
     {("money", 1200000, None), ("money", 1180450, None), ("money", 800000, None),
      ("money", 812300, None)}),
    # a rate column gives counts whose unit is the header
    ("Município\tCasos\tIncidência por 100.000 hab\nVila Nova\t120\t845,3\nCampo Alto\t35\t412,9",
     {("count", 120, "casos"), ("count", 845.3, "incidência por 100.000 hab"), ("count", 35, "casos"),
      ("count", 412.9, "incidência por 100.000 hab")}),
    # four-digit figures in a count column are counts, not years; zero is a count
    ("Município\tCasos confirmados\nSANTA LUZIA\t1987\nVILA NOVA\t2021\nCAMPO ALTO\t0",
     {("count", 1987, "casos confirmados"), ("count", 2021, "casos confirmados"),
      ("count", 0, "casos confirmados")}),
    # a count column headed by a bare "Total" under a group header
    ("\tAtendimentos\t\nSetor\tPresencial\tTotal\nCentral\t100\t140\nRegional\t20\t35",
     {("count", 100, "atendimentos presencial"), ("count", 140, "atendimentos"),
      ("count", 20, "atendimentos presencial"), ("count", 35, "atendimentos")}),
])
def test_each_column_has_one_kind(text: str, expected: set[tuple]) -> None:
    got = _numbers(text)
    assert {(k, v) for k, v, _ in got} == {(k, float(v)) for k, v, _ in expected}
    units = {(k, v): u for k, v, u in got}
    for kind, value, unit in expected:
        if unit is not None:
            assert units[(kind, float(value))] == unit


@pytest.mark.parametrize("text", [
    "SALDO ANTERIOR\n1.082.111,55 Conta corrente\n4.124,21 Poupança\nTOTAL\t5.883.556,42",
    "Ativo circulante\t17.683.913,51\t13.963.880,44 Passivo circulante\t2.266.750,78\n0,00",
    "Despesa de capital\t6.478.364,74\n7.635.320,11",
])
def test_figures_with_cents_of_a_financial_statement_are_money(text: str) -> None:
    got = _numbers(text, statement=True)
    assert got and {k for k, _, _ in got} == {"money"}


def test_figures_with_cents_stay_counts_outside_a_statement() -> None:
    assert {k for k, _, _ in _numbers("Tempo médio de espera: 16,25 minutos")} == {"count"}


def test_a_statement_keeps_percentages_and_plain_counts() -> None:
    got = _numbers("Execução de 83,53% do previsto\nForam 12 empenhos no período", statement=True)
    assert {(k, v) for k, v, _ in got} == {("percentage", 83.53), ("count", 12.0)}
