"""Headline figures of a dashboard whose labels are drawn in an image: the big numbers
alone in the text layer are counts; a big number with its label printed tight beside it
is left to the text rules; numbers in body type stay what the text says. Generated
pages, none copied from the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.facts.units import card_unit
from extractor.pipeline import extract_pdf
from tests.pdfmaker import placed_pdf

BODY = [(40, 470 + 14 * i, line, 11) for i, line in enumerate([
    "Os dados deste painel foram consolidados pela vigilância em saúde do estado e",
    "seguem sujeitos a revisão. A notificação deve ser feita às autoridades locais,",
    "conforme os critérios recomendados, e os boletins anteriores seguem disponíveis",
    "no portal da secretaria para consulta pública de qualquer cidadão interessado.",
])]


def _counts(path: Path) -> dict[float, str | None]:
    result = extract_pdf(path)
    groups = [result.report.extractions] + [i.extractions for i in result.initiatives]
    return {float(e.value): e.unit for g in groups for e in g if e.kind == "count"}


@pytest.mark.parametrize("figures", [
    [(60, 200, "296.065", 54), (300, 200, "110.430", 48), (60, 330, "84", 50)],
    [(80, 180, "1.917", 28), (400, 180, "57", 36)],
])
def test_lone_headline_figures_are_counts(tmp_path: Path, figures: list) -> None:
    path = placed_pdf(tmp_path / "painel.pdf", [(40, 60, "SITUAÇÃO ATUAL DOS CASOS", 20)] + figures + BODY)
    got = _counts(path)
    for _, _, text, _ in figures:
        assert float(text.replace(".", "")) in got, sorted(got)


def test_headline_figure_with_its_label_beside_keeps_the_text_reading(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path / "deck.pdf", [
        (60, 200, "371", 45), (62, 218, "R$ milhões (total)", 12),
        (300, 200, "9", 45), (330, 196, "novos", 12), (300, 218, "projetos", 12),
    ] + BODY)
    got = _counts(path)
    assert 371.0 not in got, got
    assert (got.get(9.0) or "").startswith("novos"), got  # the unit read from the text


@pytest.mark.parametrize("text", ["Art. 3º O prazo é de", "Ficam nomeados os servidores do", "Seção"])
def test_lone_numbers_in_body_type_are_not_counts(tmp_path: Path, text: str) -> None:
    path = placed_pdf(tmp_path / "decreto.pdf", [(40, 60, "DECRETO MUNICIPAL", 14), (40, 100, text, 11),
                                                 (40, 114, "1.250", 11), (40, 128, "87", 11)] + BODY)
    got = _counts(path)
    assert 1250.0 not in got and 87.0 not in got, got


def test_page_number_in_display_type_is_not_a_count(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path / "p.pdf", [(40, 60, "BOLETIM", 20), (40, 300, "1", 30)] + BODY)
    assert 1.0 not in _counts(path)


# A row of cards set close together, each label in text type over its figure: in reading
# order each line of labels mixes the cards' words, so only the page's geometry keeps
# a label with its figure.
CARDS = [
    (49, 196, "TOTAL DE", 12), (29, 210, "CONFIRMADOS*", 12), (24, 225, "(CASOS + ÓBITOS)", 12),
    (47, 272, "1.758", 26),
    (176, 210, "ÓBITOS EM", 12), (159, 225, "INVESTIGAÇÃO**", 12), (192, 272, "95", 26),
    (315, 210, "ÓBITOS", 12), (295, 225, "DESCARTADOS", 12), (316, 272, "394", 26),
    (444, 210, "ÓBITOS", 12), (422, 225, "CONFIRMADOS", 12), (453, 272, "80", 26),
]


def test_a_row_of_cards_gives_each_headline_figure_its_own_label(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path / "cards.pdf", [(40, 60, "CENÁRIO DA COVID-19 NO ESTADO", 20)] + CARDS + BODY)
    got = _counts(path)
    assert got.get(1758.0) == "confirmados (casos + óbitos)", got
    assert got.get(95.0) == "óbitos em investigação", got
    assert got.get(394.0) == "óbitos descartados", got
    assert got.get(80.0) == "óbitos confirmados", got


def test_a_panel_heading_over_a_lone_figure_is_no_card_label(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path / "painel.pdf", [
        (150, 150, "SITUAÇÃO ATUAL DOS CASOS CONFIRMADOS DA COVID-19", 20), (230, 176, "NO ESTADO DO ACRE", 20),
        (240, 240, "185.551", 48)] + BODY)
    got = _counts(path)
    assert 185551.0 in got and got[185551.0] is None, got


@pytest.mark.parametrize(("label", "unit"), [
    ("TOTAL DE CONFIRMADOS* (CASOS + ÓBITOS)", "confirmados (casos + óbitos)"),
    ("ÓBITOS EM INVESTIGAÇÃO**", "óbitos em investigação"),
    ("Nº DE PESSOAS AVALIADAS", "pessoas avaliadas"),
    ("NÚMERO DE ALTAS MÉDICAS", "altas médicas"),
    ("Casos novos N=57", "casos novos"),
    ("EM 2021", None),  # a time is no unit
    ("CASOS NOVOS:", "casos novos"),
    ("TOTAL", None),
    ("CASOS CONFIRMADOS POR MUNICÍPIO DE RESIDÊNCIA NO ESTADO", None),  # too long for a card label
])
def test_card_label_as_unit(label: str, unit: str | None) -> None:
    assert card_unit(label) == unit
