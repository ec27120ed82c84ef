"""A table of contents lists page numbers, not counts: under a contents heading, or in a
run of dot-leader lines, an entry's trailing page number is no fact; a table of small
counts elsewhere keeps its counts. Generated PDFs (tests/pdfmaker.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.pipeline import extract_pdf
from tests.pdfmaker import table_pdf

ENTRIES = [("1. Apresentação", "3"), ("2. Atendimentos no bimestre", "4"), ("Tema 1 - Saúde", "6"),
           ("Tema 2 - Educação", "9"), ("3. Conclusão", "12")]
FILLER = [(40, 120, "Relatório de atividades do segundo bimestre.")]


def _counts(path: Path) -> dict[int, set[float]]:
    result = extract_pdf(path)
    facts = [e for g in [result.report.extractions, *(i.extractions for i in result.initiatives)] for e in g]
    out: dict[int, set[float]] = {}
    for e in facts:
        if e.kind == "count":
            out.setdefault(e.page, set()).add(float(e.value))
    return out


def _document(tmp_path: Path, contents: list[tuple[float, float, str]]) -> Path:
    bodies = [[(40, 120, f"Foram realizados 1.{250 + k} atendimentos na unidade {k + 1}.")] for k in range(11)]
    return table_pdf(tmp_path / "doc.pdf", [FILLER, contents, *bodies])


@pytest.mark.parametrize("heading", ["SUMÁRIO", "Sumário", "ÍNDICE", "Lista de Tabelas"])
def test_page_numbers_under_a_contents_heading_are_not_counts(tmp_path: Path, heading: str) -> None:
    contents = [(40, 100, heading)] + [
        cell for k, (title, page) in enumerate(ENTRIES) for cell in ((40, 130 + 16 * k, title), (520, 130 + 16 * k, page))]
    counts = _counts(_document(tmp_path, contents))
    assert 2 not in counts, counts[2]
    assert 1250.0 in counts[3]  # the body's figures are read as ever


def test_dot_leader_entries_without_a_heading_are_not_counts(tmp_path: Path) -> None:
    contents = [(40, 130 + 16 * k, f"{title} {'.' * 40}") for k, (title, _) in enumerate(ENTRIES)]
    contents += [(520, 130 + 16 * k, page) for k, (_, page) in enumerate(ENTRIES)]
    counts = _counts(_document(tmp_path, contents))
    assert 2 not in counts, counts[2]


def test_a_table_of_small_counts_keeps_its_counts(tmp_path: Path) -> None:
    table = [(40, 100, "Atendimentos por unidade")] + [
        cell for k, (name, n) in enumerate([("Unidade Centro", "3"), ("Unidade Norte", "5"), ("Unidade Sul", "9"),
                                            ("Unidade Leste", "11")])
        for cell in ((40, 130 + 16 * k, name), (520, 130 + 16 * k, n))]
    counts = _counts(_document(tmp_path, table))
    assert {3.0, 5.0, 9.0, 11.0} <= counts.get(2, set())
