"""A letterhead municipality printed in the body of every page counts once, on its first page."""

from __future__ import annotations

from pathlib import Path

from extractor.pipeline import extract_pdf
from tests.pdfmaker import slide_pdf


def _municipality_pages(pdf: Path) -> list[tuple[int, str | None]]:
    result = extract_pdf(pdf)
    facts = [*result.report.extractions, *(e for it in result.initiatives for e in it.extractions)]
    return sorted({(e.page, e.name) for e in facts if e.kind == "municipality"})


def test_a_letterhead_place_counts_on_its_first_page_only(tmp_path: Path) -> None:
    pages = [[("RELATÓRIO DE INDICADORES INSTITUCIONAIS", 24, True),
              ("Corpo de Bombeiros Militar - Maceió/AL - Gabinete do Comando", 14, False),
              (f"Indicador {n}: atendimentos realizados no período de referência.", 14, False)]
             for n in (1, 2, 3)]
    pdf = slide_pdf(tmp_path / "letterhead.pdf", pages)
    assert _municipality_pages(pdf) == [(1, "Maceió")]


def test_a_place_named_in_different_lines_counts_on_each_page(tmp_path: Path) -> None:
    pages = [[("RELATÓRIO DE VISITAS TÉCNICAS", 24, True),
              (text, 14, False)]
             for text in ("A primeira visita foi em Arapiraca, com a equipe regional.",
                          "A segunda visita também foi em Arapiraca, agora com o comando.")]
    pdf = slide_pdf(tmp_path / "visits.pdf", pages)
    assert _municipality_pages(pdf) == [(1, "Arapiraca"), (2, "Arapiraca")]
