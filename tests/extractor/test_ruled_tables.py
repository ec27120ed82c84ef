"""Tables drawn with cell borders are read cell by cell from their grid: multi-line cells
stay whole, a label spanning rows or columns stays one cell, a caption row spanning the
table starts a table of its own, and neither a cell's shading nor a white box behind
each line of text cuts a cell. Tables generated here (tests/pdfmaker.py), in the styles
exports draw them; none copied from the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.layout import page_lines
from extractor.pdf import Word, _rules_of, read_pages
from extractor.pipeline import extract_pdf
from extractor.ruled_tables import read_grid
from tests.pdfmaker import grid_table_pdf

COLUMNS = [40.0, 100.0, 200.0, 270.0, 340.0, 410.0]
ROWS = [14.0, 36.0, 36.0, 24.0, 24.0, 14.0]
CELLS = [
    (0, 0, 1, 5, "REDE MUNICIPAL – ENSINO INFANTIL"),
    (1, 0, 1, 1, "Município"), (1, 1, 1, 1, "Escola"), (1, 2, 1, 1, "Total de\nVagas\nOfertadas"),
    (1, 3, 1, 1, "Vagas\nOcupadas"), (1, 4, 1, 1, "Taxa de\nOcupação"),
    (2, 0, 2, 1, "Lavras"), (2, 1, 1, 1, "Escola\nMunicipal Padre\nAnchieta"), (2, 2, 1, 1, "120"),
    (2, 3, 1, 1, "96"), (2, 4, 1, 1, "80,0%"),
    (3, 1, 1, 1, "Creche Vovó\nNena"), (3, 2, 1, 1, "45"), (3, 3, 1, 1, "44"), (3, 4, 1, 1, "97,8%"),
    (4, 0, 1, 1, "Perdões"), (4, 1, 1, 1, "CEI Pequeno\nPríncipe"), (4, 2, 1, 1, "60"), (4, 3, 1, 1, "33"),
    (4, 4, 1, 1, "55,0%"),
    (5, 0, 1, 2, "TOTAL"), (5, 2, 1, 1, "225"), (5, 3, 1, 1, "173"), (5, 4, 1, 1, "76,9%"),
]
READ = [
    "REDE MUNICIPAL – ENSINO INFANTIL",
    "Município\tEscola\tTotal de Vagas Ofertadas\tVagas Ocupadas\tTaxa de Ocupação",
    "Lavras\tEscola Municipal Padre Anchieta\t120\t96\t80,0%",
    "\tCreche Vovó Nena\t45\t44\t97,8%",
    "Perdões\tCEI Pequeno Príncipe\t60\t33\t55,0%",
    "TOTAL\t\t225\t173\t76,9%",
]
STYLES = [("lines", False), ("lines", True), ("rects", False), ("rects", True)]


@pytest.fixture(params=STYLES, ids=[f"{r}{'-shaded' if s else ''}" for r, s in STYLES])
def grid_pdf(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    rules, shaded = request.param
    return grid_table_pdf(tmp_path / "grid.pdf", COLUMNS, ROWS, CELLS, rules=rules, shaded=shaded,
                          title="Tabela 3 - Vagas em creches por escola")


def test_a_ruled_table_is_read_cell_by_cell(grid_pdf: Path) -> None:
    page = next(read_pages(grid_pdf))
    assert len(page.grids) == 1
    lines = [ln.text for ln in page_lines(page)]
    assert lines == ["Tabela 3 - Vagas em creches por escola", *READ]


def test_a_ruled_tables_figures_take_their_column_headers(grid_pdf: Path) -> None:
    result = extract_pdf(grid_pdf)
    facts = [e for g in [result.report.extractions, *(i.extractions for i in result.initiatives)] for e in g]
    counts = {float(e.value): set((e.unit or "").split()) for e in facts if e.kind == "count"}
    for value, unit in ((120, "vagas ofertadas"), (45, "vagas ofertadas"), (225, "vagas ofertadas"),
                        (96, "vagas ocupadas"), (44, "vagas ocupadas"), (173, "vagas ocupadas")):
        assert set(unit.split()) <= counts.get(value, set()), (value, counts)
    percentages = {float(e.value) for e in facts if e.kind == "percentage"}
    assert percentages == {80.0, 97.8, 55.0, 76.9}
    assert {e.name for e in facts if e.kind == "municipality"} == {"Lavras", "Perdões"}
    assert set(counts) == {120, 96, 45, 44, 60, 33, 225, 173}  # nothing from the names or headers


def _w(text: str, x0: float, top: float, x1: float | None = None) -> Word:
    return Word(text=text, x0=x0, top=top, x1=x1 if x1 is not None else x0 + 6 * len(text),
                bottom=top + 8, size=8.0, bold=False, page=1)


def test_a_frame_with_one_column_is_not_a_table() -> None:
    frame = [(40.0, 100.0, 400.0, 130.0), (40.0, 130.0, 400.0, 160.0)]  # two boxes of prose
    words = [_w("Texto", 50, 110), _w("corrido", 90, 110), _w("outro", 50, 140)]
    assert read_grid(frame, words) is None


def test_words_outside_the_cells_are_left_to_the_page() -> None:
    cells = [(40.0, y, x1, y + 20.0) for y in (100.0, 120.0, 140.0) for x1 in (100.0,)]
    cells += [(100.0, y, 200.0, y + 20.0) for y in (100.0, 120.0, 140.0)]
    inside = [_w("Escolas", 45, 105), _w("Vagas", 110, 105), _w("Lavras", 45, 125), _w("12", 110, 125),
              _w("Perdões", 45, 145), _w("9", 110, 145)]
    outside = _w("Fonte:", 45, 170)
    reading = read_grid(cells, [*inside, outside])
    assert reading is not None
    assert reading.used == frozenset(id(w) for w in inside)
    assert [[" ".join(w.text for w in c) for c in r.cells] for r in reading.rows] == [
        ["Escolas", "Vagas"], ["Lavras", "12"], ["Perdões", "9"]]


@pytest.mark.parametrize("items", [
    ["• 1º bimestre: 17.282", "• 2º bimestre: 18.542", "• 3º bimestre: 20.170", "• 4º bimestre: 22.298"],
    ["– Ata de registro (jan/24);", "– Ata de serviços (mar/24);", "– Ata de rede (mai/25);", "– Em andamento"],
])
def test_a_grid_of_text_boxes_is_not_a_table(items: list[str]) -> None:
    """Lists in two columns, "label: value" items: boxes laid out as a grid hold no cell
    with a figure alone, and are read as text (column by column) by the page layout."""
    cells = [(40.0 + 200.0 * (k // 2), 100.0 + 20.0 * (k % 2), 240.0 + 200.0 * (k // 2), 120.0 + 20.0 * (k % 2))
             for k in range(4)]
    words = [_w(t, c[0] + 4, c[1] + 5, c[0] + 150) for t, c in zip(items, cells)]
    assert read_grid(cells, words) is None


def test_a_frame_around_tables_leaves_them_to_be_read_alone(tmp_path: Path) -> None:
    """A panel drawn around a table, with a label in a column of its own beside it, is
    not one table: the inner table is read, the panel's label is laid out as text."""
    cells = [(0, 0, 1, 2, "PAINEL DE LEITOS"), (1, 0, 1, 1, "Leitos"), (1, 1, 1, 1, "Ocupados"),
             (2, 0, 1, 1, "120"), (2, 1, 1, 1, "96")]
    path = grid_table_pdf(tmp_path / "inner.pdf", [100.0, 200.0, 300.0], [14.0, 14.0, 14.0], cells)
    from reportlab.pdfgen import canvas  # a frame around the whole table, drawn on top

    framed = tmp_path / "framed.pdf"
    c = canvas.Canvas(str(framed), pagesize=(595, 842))
    c.setPageCompression(0)
    for x0, top, x1, bottom in [(60, 80, 340, 160)]:
        c.rect(x0, 842 - bottom, x1 - x0, bottom - top)
        c.line(95, 842 - top, 95, 842 - bottom)  # the panel's label column, left of the table
    c.setFont("Helvetica", 8)
    c.drawString(64, 842 - 120, "Resumo")
    for r, col, _, ncols, text in cells:
        x0, x1 = [100.0, 200.0, 300.0][col], [100.0, 200.0, 300.0][col + ncols]
        top = 100 + 14 * r
        c.drawCentredString((x0 + x1) / 2, 842 - top - 10, text)
        c.rect(x0, 842 - top - 14, x1 - x0, 14)
    c.showPage()
    c.save()
    del path
    page = next(read_pages(framed))
    assert len(page.grids) >= 2
    texts = [ln.text for ln in page_lines(page)]
    assert "Leitos\tOcupados" in texts and "120\t96" in texts


IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@pytest.mark.parametrize(("path", "stroke", "fill", "rules"), [
    ([("m", 10, 10), ("l", 110, 10), ("l", 110, 30), ("l", 10, 30), ("h",)], True, False,
     [(10, 10, 110, 10), (110, 10, 110, 30), (10, 30, 110, 30), (10, 10, 10, 30)]),  # a stroked cell border
    ([("m", 10, 10), ("l", 110, 10), ("l", 110, 10.6), ("l", 10, 10.6), ("h",)], False, True,
     [(10, 10.3, 110, 10.3)]),  # a thin filled rectangle: a rule
    ([("m", 10, 10), ("l", 110, 10), ("l", 110, 30), ("l", 10, 30), ("h",)], False, True, []),  # a cell's shade
    ([("m", 10, 10), ("l", 50, 10)], True, False, [(10, 10, 50, 10)]),  # a stroked line
    ([("m", 10, 10), ("c", 20, 20, 30, 20, 40, 10)], True, False, []),  # a curve draws no rule
    ([("m", 10, 10), ("l", 50, 30)], True, False, []),  # a slanted line is no table rule
])
def test_rules_a_path_draws(path: list, stroke: bool, fill: bool, rules: list) -> None:
    got = _rules_of(path, IDENTITY, stroke, fill)
    assert sorted(tuple(round(v, 3) for v in r) for r in got) == sorted(tuple(map(float, r)) for r in rules)
