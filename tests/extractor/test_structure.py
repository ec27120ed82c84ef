"""Structure: area headings, titles (any case), continuation, cover, paged vs flowing areas."""

from __future__ import annotations

import pytest

from extractor.layout import layout_pages
from extractor.structure import match_area, segment
from tests.extractor.wordkit import page, words


@pytest.mark.parametrize(("line", "number", "name"), [
    ("ÁREA TEMÁTICA 4 PRIVACIDADE E SEGURANÇA", 4, "PRIVACIDADE E SEGURANÇA"),
    ("Área Temática 2 – Serviços Digitais", 2, "Serviços Digitais"),
    ("AREA TEMATICA 10 COMPETENCIAS E CAPACITACAO", 10, "COMPETENCIAS E CAPACITACAO"),
    ("área temática 7 - ecossistema de inovação", 7, "ecossistema de inovação"),
    ("ÁREA TEMÁTICA Nº 3: CIDADANIA DIGITAL", 3, "CIDADANIA DIGITAL"),
    ("Área Temática 5 — Inteligência de Dados", 5, "Inteligência de Dados"),
])
def test_area_heading_variants(line: str, number: int, name: str) -> None:
    area = match_area(line)
    assert area is not None and (area.number, area.name) == (number, name)


@pytest.mark.parametrize("line", ["ÁREAS TEMÁTICAS", "Áreas temáticas prioritárias",
                                  "Na área temática de dados, 4 iniciativas avançaram"])
def test_not_area_headings(line: str) -> None:
    assert match_area(line) is None


def _slide(n: int, title: list[str], body: list[str], area: str | None = None):
    lines = []
    if area:
        lines.append(words(area, 43, 29, size=13, bold=True, page=n))
    for i, t in enumerate(title):
        lines.append(words(t, 43, 65 + 28 * i, size=22, bold=True, page=n))
    for i, t in enumerate(body):
        lines.append(words(t, 43, 162 + 22 * i, size=18, page=n))
    lines.append(words(str(n), 920, 507, size=10, page=n))
    return page(n, lines)


def _deck():
    return [
        page(1, [words("Painel de Iniciativas", 110, 162, size=40, bold=True),
                 words("STATUS: AGOSTO 2025", 94, 263, size=24)]),
        _slide(2, ["AMPLIAR O ATENDIMENTO DIGITAL NAS UNIDADES DE", "ATENDIMENTO INTEGRADO"],
               ["Foram 12 mil atendimentos.", "Mais unidades em 2025."],
               area="ÁREA TEMÁTICA 2 SERVIÇOS DIGITAIS"),
        _slide(3, ["Expansão do Pix nos Serviços Estaduais"], ["Implantado em março de 2025."]),
        _slide(4, ["Expansão do Pix nos Serviços Estaduais"], ["Segunda parte do texto."]),
        page(5, [words("GOVERNO DO ESTADO", 254, 76, size=22, bold=True),
                 words("Secretaria de Estado de Planejamento", 203, 102, size=22, bold=True)]),
    ]


def test_deck_segmentation() -> None:
    doc = segment(layout_pages(_deck()))
    assert doc.status_phrase == "AGOSTO 2025"
    assert [it.title for it in doc.initiatives] == [
        "AMPLIAR O ATENDIMENTO DIGITAL NAS UNIDADES DE ATENDIMENTO INTEGRADO",
        "Expansão do Pix nos Serviços Estaduais"]
    first, pix = doc.initiatives
    assert first.area is not None and first.area.number == 2
    assert pix.area is None, "a slide without an area heading has no area"
    assert pix.pages == [3, 4]
    assert [ln.text for ln in pix.body] == ["Implantado em março de 2025.",
                                            "Segunda parte do texto."]
    report_text = " ".join(ln.text for ln in doc.report_lines)
    assert "GOVERNO DO ESTADO" in report_text and "STATUS" in report_text


def _a4():
    def p(n, items):
        lines, top = [], 65
        for kind, text in items:
            size, bold = {"area": (13, True), "title": (11, True), "body": (9.5, False)}[kind]
            lines.append(words(text, 63, top, size=size, bold=bold, page=n))
            top += size * 1.5
        return page(n, lines, width=595, height=842)

    return [
        p(1, [("area", "Área Temática 2 – Serviços Digitais"),
              ("title", "Ampliação do Atendimento"), ("body", "Texto um do atendimento."),
              ("title", "Carteira de Identidade"), ("body", "Texto dois da carteira.")]),
        p(2, [("body", "Continuação da carteira."), ("title", "Pré-cadastro Online"),
              ("body", "Texto três."), ("area", "Área Temática 3 – Dados"),
              ("title", "Data Lake"), ("body", "Texto quatro.")]),
    ]


def test_flowing_report_areas_last_until_next_heading() -> None:
    doc = segment(layout_pages(_a4()))
    got = [(it.title, it.area.number if it.area else None, it.pages) for it in doc.initiatives]
    assert got == [("Ampliação do Atendimento", 2, [1]), ("Carteira de Identidade", 2, [1, 2]),
                   ("Pré-cadastro Online", 2, [2]), ("Data Lake", 3, [2])]
    assert doc.initiatives[1].body[-1].text == "Continuação da carteira."


def test_bold_body_label_is_not_a_title() -> None:
    pg = _slide(2, ["TELECONSULTORIA EM SAÚDE"], ["Texto."])
    pg = page(2, [list(pg.words)] + [words("Teleconsultoria:", 43, 300, size=18, bold=True,
                                           page=2)])
    doc = segment(layout_pages([pg]))
    assert [it.title for it in doc.initiatives] == ["TELECONSULTORIA EM SAÚDE"]


@pytest.mark.parametrize(("line", "title"), [
    # a dashboard panel's "label figure" lines are data, however large and bold
    ("LEITOS OCUPADOS 140", False),
    ("CASOS ATIVOS 23.107", False),
    ("DOSES APLICADAS 2.077.684", False),
    ("Média de atendimento 4,35", False),
    # a year or a one-digit step may end a title
    ("Plano Mineiro de Saúde 2026", True),
    ("Fase 2", True),
    ("Carteira de Identidade Nacional", True),
])
def test_panel_figure_lines_are_not_titles(line: str, title: bool) -> None:
    pg = _slide(2, ["TELECONSULTORIA EM SAÚDE"], ["Texto do slide."])
    pg = page(2, [list(pg.words)] + [words(line, 43, 300, size=18, bold=True, page=2),
                                     words("Mais texto do slide.", 43, 330, page=2)])
    doc = segment(layout_pages([pg]))
    titles = [it.title for it in doc.initiatives]
    assert (line in titles) is title, titles


def test_index_page_is_not_read_and_closing_colophon_is_report_text() -> None:
    index = page(2, [words("ÁREAS TEMÁTICAS", 365, 73, size=22, bold=True, page=2),
                     words("3", 104, 150, size=26, bold=True, page=2),
                     words("ATENDIMENTO INTEGRADO", 150, 151, size=14, page=2),
                     words("4", 514, 150, size=26, bold=True, page=2),
                     words("SEGURANÇA DA INFORMAÇÃO", 560, 151, size=14, page=2)])
    last = _slide(3, ["PROMOVER ENCONTROS DE GESTORES"],
                  ["Encontros realizados em 2025.", "GOVERNO DO ESTADO DE MINAS GERAIS",
                   "Decreto nº 48.937, de 06 de novembro de 2024"])
    doc = segment(layout_pages([_deck()[0], index, last]))
    assert [it.title for it in doc.initiatives] == ["PROMOVER ENCONTROS DE GESTORES"]
    assert [ln.text for ln in doc.initiatives[0].body] == ["Encontros realizados em 2025."]
    report = [ln.text for ln in doc.report_lines]
    assert "ATENDIMENTO INTEGRADO" not in " ".join(report)
    assert report[-2:] == ["GOVERNO DO ESTADO DE MINAS GERAIS",
                           "Decreto nº 48.937, de 06 de novembro de 2024"]
