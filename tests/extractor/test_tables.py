"""Tables as tables: column cuts from body rows, row numbers, header units, money cells.

Strings are written the way bulletins and reports from other bodies print them
(a municipality table with row numbers, "CASOS ÓBITOS" over two columns, a
"Qtde" column, "18 (94,7%)" cells, a revenue table in R$), none copied from the
real corpus.
"""

from __future__ import annotations

import pytest
import spacy

from extractor.facts.base import FactContext
from extractor.facts.numbers import find_numbers
from extractor.facts.units import table_headers
from extractor.layout import page_lines
from tests.extractor.wordkit import page, words

NLP = spacy.blank("pt")


def _numbers(text: str) -> list[tuple[str, float, str | None]]:
    ctx = FactContext(text=text, status_date="2025-10")
    return [(c.kind, float(c.value), c.unit) for c in find_numbers(NLP(text), ctx)]


def _table_page(rows: list[list[tuple[str, float]]], *, size: float = 7.0):
    lines = []
    for i, row in enumerate(rows):
        line = []
        for text, x in row:
            line += words(text, x, 100 + size * 1.6 * i, size=size)
        lines.append(line)
    return page(1, lines, width=600, height=842)


def test_narrow_columns_split_when_every_body_row_leaves_them_free() -> None:
    """A row number beside a name, and two numeric columns under one wide header."""
    header = [("MUNICÍPIO", 40), ("CASOS ÓBITOS", 150)]
    rows = [header] + [[("%d" % n, 40), (name, 52), (cases, 150), (deaths, 185)]
                       for n, name, cases, deaths in [
                           (1, "BOA VISTA", "12.408", "301"), (2, "SÃO JOSÉ", "9.115", "88"),
                           (3, "RIO CLARO", "2.020", "31"), (4, "PIUM", "563", "8"),
                           (5, "ALMAS", "239", "0")]]
    got = [ln.text for ln in page_lines(_table_page(rows))]
    # every row has a cell per column, the header's empty row-number cell included
    assert got[:3] == ["\tMUNICÍPIO\tCASOS\tÓBITOS", "1\tBOA VISTA\t12.408\t301",
                       "2\tSÃO JOSÉ\t9.115\t88"]


def test_a_caption_beside_a_chart_is_read_before_its_values() -> None:
    """A caption set larger, to the left of a chart's labelled values, shares their rows;
    it is read as its own block above the table, not as part of its label cells, and a
    source line running across below stays one line."""
    lines = []
    labels = ["0 a 9 anos", "10 a 19 anos", "20 a 59 anos", "60 e+", "TOTAL"]
    for i, (label, value) in enumerate(zip(labels, ["41", "77", "802", "95", "1.015"])):
        lines.append(words(label, 300, 180 + 7.5 * i, size=5) + words(value, 400, 180 + 7.5 * i,
                                                                       size=5))
    lines.append(words("GRÁFICO 2. Distribuição dos novos casos", 70, 186, size=8)
                 + words("confirmados, segundo faixa etária.", 70, 196, size=8))
    lines.append(words("Fonte: Vigilância em Saúde, acesso em 20/01/2022.", 220, 219.5, size=5.4))
    got = [ln.text for ln in page_lines(page(1, lines, width=600, height=842))]
    assert got == ["GRÁFICO 2. Distribuição dos novos casos", "confirmados, segundo faixa etária.",
                   "0 a 9 anos\t41", "10 a 19 anos\t77", "20 a 59 anos\t802", "60 e+\t95",
                   "TOTAL\t1.015", "Fonte: Vigilância em Saúde, acesso em 20/01/2022."]


def test_short_tables_keep_the_wide_gap_rule() -> None:
    """Two body rows cannot tell a column gap from a word space: words stay together."""
    rows = [[("Ponto de Resposta", 40), ("22", 200)], [("Ouvidoria Central", 40), ("4", 200)]]
    got = [ln.text for ln in page_lines(_table_page(rows, size=10))]
    assert got == ["Ponto de Resposta\t22", "Ouvidoria Central\t4"]


@pytest.mark.parametrize(("text", "index_columns"), [
    ("\tMUNICÍPIO\tCASOS\n1\tBOA VISTA\t120\n2\tLAGOA\t98\n3\tPIUM\t40\n4\tALMAS\t12", {0}),
    ("1\tBOA VISTA\t120\t36\tRIO SONO\t8\n2\tLAGOA\t98\t37\tPIUM\t7\n3\tALMAS\t40\t38\tJAÚ\t7", {0, 3}),
    # a misprinted row number ("80" for 90) does not break the run
    ("88\tA\t10\n89\tB\t9\n80\tC\t9\n91\tD\t8\n92\tE\t8", {0}),
    # counts that happen to be small are not row numbers: they do not go up by one
    ("Teófilo Otoni\t12\nLavras\t7\nNova Lima\t3\nSabará\t9", set()),
    # rows whose label wraps onto a second row: the continuation rows hold no number
    ("1\tIndicador de prazo\t85%\n\tmédio de resposta\t\n2\tIndicador de\t90%\n\tsatisfação\t\n"
     "3\tÍndice de\t70%\n\tresolutividade\t", {0}),
    # a header naming the column makes its numbers data
    ("Ano\tQtde\tTotal\n1\t2\t3\n2\t3\t4\n3\t4\t5", set()),
])
def test_row_number_columns(text: str, index_columns: set[int]) -> None:
    rows = set(table_headers(text).values())
    assert len(rows) == 1
    assert set(rows.pop().index_columns) == index_columns


@pytest.mark.parametrize(("text", "expected"), [
    # unit from the column header; row numbers are not counts
    ("\tMUNICÍPIO\tCASOS\tÓBITOS\n1\tBOA VISTA\t12.408\t301\n2\tSÃO JOSÉ\t9.115\t0\n"
     "3\tRIO CLARO\t2.020\t31",
     {("count", 12408, "casos"), ("count", 301, "óbitos"), ("count", 9115, "casos"),
      ("count", 0, "óbitos"), ("count", 2020, "casos"), ("count", 31, "óbitos")}),
    # a header named in the caption takes the caption's qualifiers
    ("TABELA 3. Distribuição de casos e óbitos confirmados acumulados, segundo município\n"
     "\tMUNICÍPIO\tCASOS\tÓBITOS\n1\tBOA VISTA\t12.408\t301\n2\tSÃO JOSÉ\t9.115\t88\n"
     "3\tRIO CLARO\t2.020\t31",
     {("count", 12408, "casos confirmados acumulados"), ("count", 9115, "casos confirmados acumulados"),
      ("count", 2020, "casos confirmados acumulados"), ("count", 301, "óbitos confirmados acumulados"),
      ("count", 88, "óbitos confirmados acumulados"), ("count", 31, "óbitos confirmados acumulados")}),
    # "TOTAL" over instances of a headed label column: the caption says what is counted
    ("Tabela 1 – Distribuição das novas internações por COVID-19, segundo hospital\n"
     "\tHOSPITAL\tTOTAL\n1\tREGIONAL NORTE\t44\n2\tSANTA CASA\t17\n3\tMATERNIDADE\t5",
     {("count", 44, "novas internações"), ("count", 17, "novas internações"),
      ("count", 5, "novas internações")}),
    # under a bare "Qtde" with no label header, the row label is the unit
    ("Tipo\tQtde\nOuvidorias\t262\nPontos de resposta\t591",
     {("count", 262, "ouvidorias"), ("count", 591, "pontos de resposta")}),
    # "18 (94,7%)": a count and a percentage; header numbers ("Nota 4") are labels
    ("Critério\tNota 4\tNota 5\nOrganização\t1 (5,3%)\t18 (94,7%)\nLocal\t3 (15,8%)\t16 (84,2%)",
     {("count", 1, None), ("percentage", 5.3, None), ("count", 18, None),
      ("percentage", 94.7, None), ("count", 3, None), ("percentage", 15.8, None),
      ("count", 16, None), ("percentage", 84.2, None)}),
    # category labels in the row-label cell ("0 a 9 anos") are not counts
    ("Faixa etária\tCasos\n0 a 9 anos\t108\n10 a 19 anos\t186\n70 e+\t94",
     {("count", 108, "casos"), ("count", 186, "casos"), ("count", 94, "casos")}),
    # a caption spreading its figures over categories ("segundo tipo"): the row labels
    # are the categories, the figures count the caption's phrase
    ("GRÁFICO 4. Perfil das vacinas aplicadas segundo tipo de imunizante\n"
     "Coronavac\t1.520\nAstrazeneca\t988\nPfizer\t2.310",
     {("count", 1520, "vacinas aplicadas"), ("count", 988, "vacinas aplicadas"),
      ("count", 2310, "vacinas aplicadas")}),
    ("Quadro 2 – Número de atendimentos por faixa etária\n0 a 19 anos\t310\n20 a 59 anos\t1.204",
     {("count", 310, "atendimentos"), ("count", 1204, "atendimentos")}),
    # without such a cue a row label names what its figure counts
    ("Quadro 3 – Número de servidores capacitados em 2025\nGestores\t48\nAnalistas\t215\n"
     "Técnicos\t130",
     {("count", 48, "gestores"), ("count", 215, "analistas"), ("count", 130, "técnicos")}),
    # a cross table: the same header over each group's columns ("Novos | Total" under each
    # network) names categories; the row label names what is counted
    ("Rede\tNovos\tTotal\tNovos\tTotal\nMatrículas em creche\t43\t67\t23\t35\n"
     "Transferências recebidas\t11\t42\t9\t15",
     {("count", 43, "matrículas em creche"), ("count", 67, "matrículas em creche"),
      ("count", 23, "matrículas em creche"), ("count", 35, "matrículas em creche"),
      ("count", 11, "transferências recebidas"), ("count", 42, "transferências recebidas"),
      ("count", 9, "transferências recebidas"), ("count", 15, "transferências recebidas")}),
    # a header row again after data rows, filling more than half the columns, heads what
    # follows: here its "%" column holds percentages, not the amounts of the table above
    ("Receita\tPrevisto\tRealizado\tSaldo\nImpostos\t1.200\t1.180\t20\nTaxas\t300\t310\t10\n"
     "Indicador\t\tValor aplicado\t% aplicado\nMínimo constitucional\t\t2.091\t25,13",
     {("count", 1200, "previsto"), ("count", 1180, "realizado"), ("count", 20, "saldo"), ("count", 300, "previsto"),
      ("count", 310, "realizado"), ("count", 10, "saldo"), ("count", 2091, "valor aplicado"),
      ("percentage", 25.13, None)}),
])
def test_table_cells(text: str, expected: set[tuple]) -> None:
    got = _numbers(text)
    assert {(k, v) for k, v, _ in got} == {(k, float(v)) for k, v, _ in expected}
    units = {(k, float(v)): u for k, v, u in got}
    for kind, value, unit in expected:
        if unit is not None:
            assert units[(kind, float(value))] == unit


def test_cells_with_cents_are_money_when_the_text_speaks_in_reais() -> None:
    text = ("Valores em R$\nReceita\t1º Bim.\t2º Bim.\tTotal\n"
            "IPTU\t80.000,00\t70.000,00\t150.000,00\nISSQN\t1.500,00\t1.200,00\t2.700,00")
    got = _numbers(text)
    assert {k for k, _, _ in got} == {"money"}
    assert {v for _, v, _ in got} == {80000, 70000, 150000, 1500, 1200, 2700}


def test_cells_with_cents_without_a_currency_stay_counts() -> None:
    text = "Indicador\tValor\nTempo médio\t16,25\nDias alocados\t4,17"
    assert {k for k, _, _ in _numbers(text)} == {"count"}


def test_a_continuation_row_has_no_label_of_its_own() -> None:
    """A wrapped row label ("Companhia de" / "Desenvolvimento") leaves the continuation
    row's first cell empty: its numbers are not counted under the fragment."""
    text = ("Contrato\tEmpresa\tPlaca\tAno\n125/2017\tCompanhia de\tJKL 2017\t2017\n"
            "\tDesenvolvimento\t7765\t\n130/2017\tOutra Empresa\tPAX 4386\t2018")
    assert not [c for c in _numbers(text) if c[2] == "desenvolvimento"]


def test_row_labels_that_are_mg_municipalities_are_municipality_facts() -> None:
    """A "Município | Casos" table: each MG municipality row label is a fact, even a name
    that is also a common word ("Luz", "Passos"), and its cell is a count."""
    from extractor.facts.pipeline import find_facts

    text = "\tMUNICÍPIO\tCASOS\n1\tTEÓFILO OTONI\t120\n2\tLAVRAS\t98\n3\tPASSOS\t40\n4\tLUZ\t12"
    facts = find_facts(FactContext(text=text, status_date="2025-10"))
    assert [(c.kind, c.value) for c in facts if c.kind == "municipality"] == [
        ("municipality", "3168606"), ("municipality", "3138203"), ("municipality", "3147907"),
        ("municipality", "3138807")]
    assert sorted(c.value for c in facts if c.kind == "count") == [12, 40, 98, 120]
