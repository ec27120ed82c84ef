"""What a reviewer points at on a page: the words inside a drawn box, in reading order, and
where a span of the source text is printed (generated slides, text layer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.box_text import box_of, find_run, page_words, words_in_box
from tests.pdfmaker import slide_pdf

LINES = [("AMPLIAR O ATENDIMENTO DIGITAL", 24, True),
         ("Foram realizados 12.500 atendimentos em julho de 2025.", 18, False),
         ("A meta é atingir 80% dos municípios até 2026.", 18, False)]


@pytest.fixture(scope="module")
def words(tmp_path_factory: pytest.TempPathFactory) -> list:
    pdf = slide_pdf(tmp_path_factory.mktemp("box") / "deck.pdf", [[("capa", 30, True)], LINES])
    return page_words(pdf, 2)


def _box(words: list, *texts: str) -> list[float]:
    return box_of([w for w in words if w.text in texts])


@pytest.mark.parametrize(("around", "read"), [
    (("12.500", "atendimentos"), "12.500 atendimentos"),
    (("80%",), "80%"),
    (("julho", "de", "2025."), "julho de 2025."),
])
def test_a_box_reads_the_words_inside_it(words: list, around: tuple[str, ...], read: str) -> None:
    x0, top, x1, bottom = _box(words, *around)
    assert " ".join(w.text for w in words_in_box(words, [x0 - 1, top - 1, x1 + 1, bottom + 1])) == read


def test_a_box_over_two_lines_reads_them_in_order(words: list) -> None:
    x0, top, x1, bottom = _box(words, "Foram", "realizados", "A", "meta")
    assert " ".join(w.text for w in words_in_box(words, [x0 - 1, top - 1, x1 + 1, bottom + 1])) == (
        "Foram realizados A meta é atingir")  # all the words the box covers, line by line


def test_a_word_mostly_outside_the_box_is_left_out(words: list) -> None:
    x0, top, x1, bottom = _box(words, "12.500")
    width = x1 - x0
    assert words_in_box(words, [x0 + width * 0.7, top, x1, bottom]) == []


@pytest.mark.parametrize(("span", "found"), [
    ("12.500 atendimentos", ["12.500", "atendimentos"]),
    ("2.500 atendi", ["12.500", "atendimentos"]),  # a selection cut inside its first and last words
    ("80%", ["80%"]),
    ("dos  municípios", ["dos", "municípios"]),
])
def test_a_span_of_source_text_is_found_where_printed(words: list, span: str, found: list[str]) -> None:
    assert [w.text for w in find_run(words, span)] == found


def test_a_span_not_printed_is_not_found(words: list) -> None:
    assert find_run(words, "13.500 atendimentos") == []


def test_of_two_runs_the_one_nearest_is_taken(tmp_path: Path) -> None:
    pdf = slide_pdf(tmp_path / "twice.pdf", [[("50 escolas", 18, False), ("outra linha", 18, False),
                                             ("50 escolas", 18, False)]])
    both = page_words(pdf, 1)
    second = [w for w in both if w.text == "50"][1]
    run = find_run(both, "50 escolas", near=[second.x0, second.top, second.x1, second.bottom])
    assert run[0] is second
