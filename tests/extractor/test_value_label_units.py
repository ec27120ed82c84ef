"""A value labelled only "Valor:" / "Resultado:" under a heading naming an indicator or a
goal counts what the heading names (rules/units.yaml value_labels, item_heads)."""

from __future__ import annotations

import pytest

from extractor.facts.units import unit_from_context

CASES = [
    ("Indicador n.º 27 - Convênios e Parcerias\nPeríodo: 1º semestre de 2024\nValor: 2", "2",
     "convênios e parcerias"),
    ("Indicador nº 66 - Número de iniciativas de Capacitação\nPeríodo: 2024\nValor: 3\n"
     "Período: 2025\nValor: 4", "4", "iniciativas de capacitação"),
    ("Meta 2 – Escolas atendidas\nResultado: 12", "12", "escolas atendidas"),
    ("Indicador 5: Vistorias realizadas\nValor apurado: 40", "40", "vistorias realizadas"),
]


@pytest.mark.parametrize(("text", "figure", "unit"), CASES)
def test_value_label_takes_the_heading_name(text: str, figure: str, unit: str) -> None:
    start = text.rindex(figure)
    got = unit_from_context(text, start, start + len(figure))
    assert got is not None and got.name == unit


@pytest.mark.parametrize("text", [
    "Valor: 12",  # no heading: the label is all there is
    "Indicador n.º 3 - Convênios\nO resultado ficou abaixo do esperado no ano.\nValor: 12",  # prose between
])
def test_value_label_without_a_heading_right_above_keeps_the_label(text: str) -> None:
    start = text.rindex("12")
    got = unit_from_context(text, start, start + 2)
    assert got is not None and got.name == "valor"


@pytest.mark.parametrize(("text", "figure", "unit"), [
    # labelled on its own line: the label, not a measure named on a line above
    ("Indicador n.º 3 - Demanda reprimida em vistorias\nVistorias Solicitadas : 5.388", "5.388",
     "vistorias solicitadas"),
    ("Meta 4 - Índice de cobertura\nAtendimentos realizados: 812", "812", "atendimentos realizados"),
    # the last label of a line that holds several
    ("Período: 2024/1 Fiscalizações : 1.252 Valor = 100%", "1.252", "fiscalizações"),
    ("Período: 2023\tAlvarás emitidos: 4.765\tValor = 98%", "4.765", "alvarás emitidos"),
])
def test_number_takes_the_label_of_its_own_line(text: str, figure: str, unit: str) -> None:
    start = text.index(figure)
    got = unit_from_context(text, start, start + len(figure))
    assert got is not None and got.name == unit


@pytest.mark.parametrize("text", ["Fiscalizações : 1.252 Valor = 100%", "foram 40 Pontos = 3"])
def test_word_before_an_equals_sign_labels_the_next_figure(text: str) -> None:
    from extractor.facts.units import unit_after
    m = next(c for c in ("1.252", "40") if c in text)
    assert unit_after(text, text.index(m) + len(m)) is None


@pytest.mark.parametrize(("text", "figure"), [
    ("Contrato 01/2018. Natureza de Despesa 339039, Fonte: 100", "100"),  # a code in prose
    ("Valor: R$ 12,00 (doze reais). Da Classificação: UO 16101; Gestão: 00001", "00001"),
    ("JOSE DA SILVA, matrícula 224.056-4, Agente de Trânsito: 4273", "4273"),
])
def test_label_in_the_middle_of_prose_gives_no_unit(text: str, figure: str) -> None:
    start = text.rindex(figure)
    assert unit_from_context(text, start, start + len(figure)) is None


@pytest.mark.parametrize(("text", "values"), [
    ("→ Decomposição STL:\n𝐹 𝑇 = 0,497\n𝐹 𝑆 = 0,580", {0.497, 0.58}),
    ("Resultado do ajuste: 𝑅 = 0,93", {0.93}),
])
def test_value_of_a_formula_variable_is_a_count(text: str, values: set[float]) -> None:
    from extractor.facts.base import FactContext
    from extractor.facts.pipeline import find_facts
    got = {c.value for c in find_facts(FactContext(text=text)) if c.kind == "count"}
    assert values <= got, got
