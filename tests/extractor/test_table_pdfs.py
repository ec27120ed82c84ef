"""Tables drawn into generated PDFs in several styles, read end to end: each column one
kind (counts with the header's unit, percentages, money), ruled or not, a header over
two lines, the header repeated after a page break, a caption "Em R$ 1,00", a financial
statement whose figures carry cents and no R$. None copied from the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.pipeline import extract_pdf
from tests.pdfmaker import table_pdf

ROWS = [("Vila Nova", "1987", "41,2", "12", "33,3"), ("Campo Alto", "1.204", "25,0", "0", "0,0"),
        ("Rio Claro", "815", "16,9", "9", "25,0"), ("Lagoa Seca", "512", "10,6", "8", "22,2"),
        ("Serra Azul", "301", "6,3", "7", "19,5")]


def _facts(path: Path) -> set[tuple[int, str, float, str | None]]:
    result = extract_pdf(path)
    groups = [result.report.extractions] + [i.extractions for i in result.initiatives]
    return {(e.page, e.kind, float(e.value), e.unit) for g in groups for e in g
            if e.kind in ("count", "percentage", "money")}


def _municipality_pages(split: int) -> list[list[tuple[float, float, str]]]:
    header = [(40, 120, "Município"), (200, 120, "Casos"), (200, 131, "confirmados"), (300, 120, "%"),
              (360, 120, "Óbitos"), (450, 120, "%")]
    pages, cells, y = [], list(header), 150.0
    for n, (name, cases, pc, deaths, pd) in enumerate(ROWS):
        if n == split:
            pages.append(cells)
            cells, y = list(header), 150.0  # the header again at the top of the next page
        cells += [(40, y, name), (250, y, cases), (320, y, pc), (400, y, deaths), (470, y, pd)]
        y += 16
    pages.append(cells)
    return pages


@pytest.mark.parametrize("ruled", [False, True])
@pytest.mark.parametrize("split", [len(ROWS), 3])
def test_municipality_table_columns(tmp_path: Path, ruled: bool, split: int) -> None:
    path = table_pdf(tmp_path / "t.pdf", _municipality_pages(split), ruled=ruled,
                     title="Tabela 1 - Casos e óbitos por município de residência")
    got = {(k, v, u) for _, k, v, u in _facts(path)}
    for name, cases, pc, deaths, pd in ROWS:
        value = float(cases.replace(".", ""))
        assert ("count", value, "casos confirmados") in got, (name, sorted(got, key=str))
        assert ("percentage", float(pc.replace(",", ".")), None) in got
        assert ("percentage", float(pd.replace(",", ".")), None) in got
        assert any(k == "count" and v == float(deaths) and u and u.startswith("óbitos") for k, v, u in got)
    assert not {k for k, _, _ in got} - {"count", "percentage"}


def test_a_table_in_reais_by_its_caption(tmp_path: Path) -> None:
    cells = [(40, 120, "Fonte"), (260, 120, "Previsto"), (380, 120, "Realizado")]
    for y, (name, a, b) in zip((140, 156, 172), [("Impostos", "1.200.000", "1.180.450"),
                                                  ("Transferências", "800.000", "812.300"),
                                                  ("Outras receitas", "45.000", "51.120")]):
        cells += [(40, y, name), (310, y, a), (430, y, b)]
    path = table_pdf(tmp_path / "t.pdf", [cells], title="Receitas por fonte (Em R$ 1,00)")
    got = {(k, v) for _, k, v, _ in _facts(path)}
    assert got == {("money", v) for v in (1200000, 1180450, 800000, 812300, 45000, 51120)}


@pytest.mark.parametrize("ruled", [False, True])
def test_figures_of_a_financial_statement_are_money(tmp_path: Path, ruled: bool) -> None:
    cells = [(40, 120, "Descrição"), (300, 120, "Débito"), (420, 120, "Crédito")]
    for y, (name, a, b) in zip((140, 156, 172, 188), [("Saldo anterior", "1.082.111,55", "0,00"),
                                                       ("Rendimentos", "12.027,71", "0,00"),
                                                       ("Pagamentos", "0,00", "816.918,40"),
                                                       ("Total", "1.094.139,26", "816.918,40")]):
        cells += [(40, y, name), (360, y, a), (480, y, b)]
    path = table_pdf(tmp_path / "t.pdf", [cells], ruled=ruled,
                     title="BALANCETE FINANCEIRO - Período: 01/01/2019 a 31/12/2019")
    got = {(k, v) for _, k, v, _ in _facts(path)}
    assert got == {("money", v) for v in (1082111.55, 0.0, 12027.71, 816918.40, 1094139.26)}
