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
    # section rows inside a table (a region over its municipalities, in each column group)
    # go on under the table's header; the header repeated after a page break starts anew
    ("Município\tCasos\tMunicípio\tCasos\nNORTE\t\tSUL\t\nVila Nova\t120\tCampo Alto\t35\n"
     "Serra Azul\t98\tLagoa Seca\t12\nLESTE\t\tOESTE\t\nRio Claro\t40\tSão Bento\t7\n"
     "Município\tÓbitos\tMunicípio\tÓbitos\nPorto Real\t3\tBoa Vista\t2",
     {("count", 120, "casos"), ("count", 35, "casos"), ("count", 98, "casos"), ("count", 12, "casos"),
      ("count", 40, "casos"), ("count", 7, "casos"), ("count", 3, "óbitos"), ("count", 2, "óbitos")}),
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


def _loose_table_page(rows: list[list[tuple[str, float]]], pitch: float, size: float = 10.0):
    from tests.extractor.wordkit import page, words

    return page(1, [sum((words(t, x, 100 + pitch * i, size=size) for t, x in row), [])
                    for i, row in enumerate(rows)], width=600, height=842)


def test_a_loosely_set_table_is_read_row_by_row() -> None:
    """Rows set far apart (a slide's table): a header over two lines, a row label wrapped
    around its figures; each column keeps its cells, each figure its header."""
    from extractor.layout import page_lines

    rows = [[("Dist. total", 200)], [("Unidade", 40), ("Viagens", 120), ("(km)", 200), ("Início", 300)],
            [("Base", 40)], [("12.300", 120), ("45.120", 200), ("02/03/2021", 300)], [("Norte", 40)],
            [("Base", 40)], [("8.410", 120), ("30.002", 200), ("15/04/2021", 300)], [("Sul", 40)]]
    lines = page_lines(_loose_table_page(rows, pitch=30))
    assert len({ln.block for ln in lines}) == 1 and all(ln.cells for ln in lines)
    text = "\n".join(ln.text for ln in lines)
    got = _numbers(text)
    units = {v: u for _, v, u in got}
    assert units[12300.0] == units[8410.0] == "viagens"
    assert units[45120.0] == units[30002.0] == "km"  # the unit of measure the header names


def test_prose_in_columns_is_not_a_grid() -> None:
    """Three columns of running text with a figure here and there are no loose table."""
    from extractor.layout import _is_grid

    rows = [[("Foram atendidas 120 famílias", 40), ("O programa cresceu", 220), ("Em 2025 houve", 400)],
            [("no primeiro semestre do ano", 40), ("em 35 municípios do", 220), ("novas adesões ao", 400)],
            [("com apoio das equipes locais", 40), ("estado e segue em", 220), ("sistema de gestão", 400)]]
    assert not _is_grid(_loose_table_page(rows, pitch=30).words, 10.0, across=210)


def test_a_chart_s_value_labels_are_not_a_loose_table() -> None:
    """Bars far apart with their values in one row and their years in another: the value
    rows name nothing, so a cut across does not read them as a table."""
    from extractor.layout import _is_grid

    rows = [[("85", 100), ("90", 200), ("95", 300)], [("", 0)], [("2022", 100), ("2023", 200), ("2024", 300)],
            [("Meta", 100), ("Meta", 200), ("Meta", 300)]]
    rows = [[c for c in r if c[0]] for r in rows]
    assert not _is_grid(_loose_table_page([r for r in rows if r], pitch=30).words, 10.0, across=190,
                        labelled=True)


@pytest.mark.parametrize(("header", "unit"), [
    ("Casos* N=1.678", "casos"),
    ("Óbitos (n=80)", "óbitos"),
    ("Internações¹", "internações"),
    ("Notificações** n = 2.310", "notificações"),
])
def test_a_sample_size_or_footnote_mark_in_a_header_is_not_part_of_the_unit(header: str, unit: str) -> None:
    text = f"Município\t{header}\nLagoa Seca\t12\nRio Claro\t7"
    assert _numbers(text) == {("count", 12, unit), ("count", 7, unit)}


@pytest.mark.parametrize(("first_page", "statement"), [
    ("Receita\tPrevisão Atualizada\tReceita Realizada\nIPTU\t1.200,00\t1.180,50", True),
    ("Despesa\tDotação Inicial\tDespesas Empenhadas\tDespesas Liquidadas\nSaúde\t10,00\t9,00\t8,00", True),
    ("RECEITA PREVISTA\tRECEITA ARRECADADA\nICMS\t5.000,00\t4.900,00", True),
    # one stage alone, or the words in running text, do not make a statement
    ("Unidade\tReceita Realizada\nNorte\t310,00", False),
    ("A receita realizada cresceu 5% e o saldo atual é positivo.", False),
    ("Município\tCasos confirmados\tÓbitos\nAlmas\t120\t3", False),
])
def test_a_first_page_headed_by_budget_stages_is_a_financial_statement(first_page: str, statement: bool) -> None:
    assert is_financial_statement("Cálculo do percentual aplicado em saúde", first_page) is statement
