"""Layout: reading order, side-by-side columns, tables, page furniture."""

from __future__ import annotations

import pytest

from extractor.layout import PageLayout, layout_pages, page_lines, remove_furniture
from tests.extractor.wordkit import page, words


def test_side_by_side_boxes_do_not_interleave() -> None:
    left = [words(t, 43, 160 + 20 * i, size=16) for i, t in enumerate(
        ["Publicadas as seguintes atas de registro", "RP Desenvolvimento Ágil (jan/24);",
         "RP Outsourcing de Impressão (fev/24);"])]
    right = [words(t, 480, 160 + 20 * i, size=16) for i, t in enumerate(
        ["RP Rede IP (mai/25);", "RP Serviços de Infraestrutura de TIC (jun/25);",
         "RP Conectividade Wifi (jul/25);"])]
    texts = [ln.text for ln in page_lines(page(1, left + right))]
    assert texts == ["Publicadas as seguintes atas de registro", "RP Desenvolvimento Ágil (jan/24);",
                     "RP Outsourcing de Impressão (fev/24);", "RP Rede IP (mai/25);",
                     "RP Serviços de Infraestrutura de TIC (jun/25);",
                     "RP Conectividade Wifi (jul/25);"]


def test_table_is_read_row_by_row_with_cells() -> None:
    rows = [("Município", "Unidades"), ("Teófilo Otoni", "12"), ("Lavras", "7"),
            ("Nova Lima", "3")]
    lines = []
    for i, (a, b) in enumerate(rows):
        lines += [words(a, 60, 100 + 16 * i) + words(b, 300, 100 + 16 * i)]
    got = [ln.text for ln in page_lines(page(1, lines))]
    assert got == ["Município\tUnidades", "Teófilo Otoni\t12", "Lavras\t7", "Nova Lima\t3"]


def test_paragraph_keeps_line_order() -> None:
    body = [words(t, 43, 160 + 18 * i) for i, t in enumerate(
        ["Em 2024 foram integrados", "os sistemas ao Data Lake.", "Foram entregues views."])]
    assert [ln.text for ln in page_lines(page(1, body))] == [
        "Em 2024 foram integrados", "os sistemas ao Data Lake.", "Foram entregues views."]


@pytest.mark.parametrize("footer", ["Página {n}", "Página {n} de 3", "{n}", "{n}/3"])
def test_page_numbers_and_running_header_are_furniture(footer: str) -> None:
    pages = []
    for n in (1, 2, 3):
        pages.append(page(n, [words("Governo de Minas — Status outubro 2025", 57, 20, size=8),
                              words(f"Texto da página {n} com conteúdo.", 60, 200),
                              words(footer.format(n=n), 500, 520, size=8)], height=540))
    layouts = layout_pages(pages)
    for lay in layouts:
        assert [ln.text for ln in lay.lines] == [f"Texto da página {lay.number} com conteúdo."]
        assert len(lay.furniture) == 2


def test_margin_text_on_one_page_only_is_kept() -> None:
    lay = PageLayout(number=1, width=960, height=540, lines=page_lines(page(1, [
        words("Nota de rodapé única sobre a fonte dos dados", 43, 500, size=9),
        words("Corpo", 43, 200)])))
    other = PageLayout(number=2, width=960, height=540,
                       lines=page_lines(page(2, [words("Outro corpo", 43, 200, page=2)])))
    remove_furniture([lay, other])
    assert "Nota de rodapé única sobre a fonte dos dados" in [ln.text for ln in lay.lines]
