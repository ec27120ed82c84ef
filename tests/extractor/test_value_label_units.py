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
