"""Word breaks decided per line from the char gaps relative to font size
(extractor/pdf.py ``_WordGrouper``, thresholds in rules/layout.yaml).

Generated PDFs: tracked text (the PDF ``Tc`` operator, 0-300 thousandths of an em)
must come out as whole words; words printed without a blank between them, tight
justified lines and table rows must not be glued; blanks a producer kerned back
over (a spaced-out URL) join their run; a line whose char boxes overlap by
broken widths is split at its blanks as pdfplumber does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest
import yaml
from reportlab.pdfbase.pdfmetrics import stringWidth

from extractor import rulebook
from extractor.errors import RulesError
from extractor.pdf import LAYOUT_FILE, LayoutRules, read_pages
from tests.pdfmaker import placed_pdf, tracked_pdf

PHRASES = ["Abaeté", "São João del-Rei", "Município de Conceição do Mato Dentro",
           "MUNICÍPIO DE SÃO GONÇALO DO RIO ABAIXO"]
TRACKING = [0, 50, 100, 150, 200, 250, 300]
SIZES = [7, 10, 14, 24, 36]


def lines_of(path: Path) -> list[list[str]]:
    """The words of the PDF's first page, line by line (top to bottom)."""
    page = next(read_pages(path))
    lines: dict[float, list[str]] = {}
    for w in page.words:
        lines.setdefault(round(w.bottom), []).append(w.text)
    return [lines[k] for k in sorted(lines)]


def place(words: list[str], size: float, word_gap: float, tracking: float = 0.0,
          font: str = "Helvetica", x: float = 30.0, y: float = 100.0) -> list[tuple]:
    """Each char drawn on its own, ``tracking`` em apart, words ``word_gap`` em
    apart (ink to ink), no blank char anywhere."""
    out = []
    for word in words:
        for ch in word:
            out.append((x, y, ch, size))
            x += stringWidth(ch, font, size) + tracking * size
        x += (word_gap - tracking) * size
    return out


@pytest.mark.parametrize("font", ["Helvetica", "Times-Roman"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tracking", TRACKING)
def test_tracked_text_comes_out_as_whole_words(tmp_path: Path, tracking: int, size: float,
                                               font: str) -> None:
    pdf = tracked_pdf(tmp_path / "tracked.pdf", [(p, size, tracking) for p in PHRASES], font=font)
    assert lines_of(pdf) == [p.split() for p in PHRASES]


def test_tracking_splits_words_into_letters_in_plain_pdfplumber(tmp_path: Path) -> None:
    """What the rule mends: past 3 pt of tracking pdfplumber reads every letter apart."""
    pdf = tracked_pdf(tmp_path / "tracked.pdf", [("Abaeté", 14, 300)])
    with pdfplumber.open(pdf) as doc:
        assert [w["text"] for w in doc.pages[0].extract_words()] == list("Abaeté")
    assert lines_of(pdf) == [["Abaeté"]]


@pytest.mark.parametrize("tracking", [0, 150, 300])
def test_tight_justified_tracked_line_is_not_glued(tmp_path: Path, tracking: int) -> None:
    """Blanks shrunk by a negative word spacing (Tw) still break the words."""
    text = "Conceição do Mato Dentro e São João del-Rei"
    pdf = tracked_pdf(tmp_path / "tight.pdf", [(text, 10, tracking)], word_space=-0.1)
    assert lines_of(pdf) == [text.split()]


@pytest.mark.parametrize("size", [6, 9, 14])
def test_words_printed_without_blanks_are_not_glued(tmp_path: Path, size: float) -> None:
    """Word gaps of 0.18 em and no blank chars (a 14 pt report had
    "resultadosesperados"): narrower than pdfplumber's 3 pt, wider than letters."""
    words = "os resultados esperados garantir a melhor entrega considerando os testes".split()
    pdf = placed_pdf(tmp_path / "tight.pdf", place(words, size, word_gap=0.18))
    assert lines_of(pdf) == [words]


@pytest.mark.parametrize("tracking", [0.1, 0.2, 0.3])
def test_tracked_words_printed_without_blanks_are_not_glued(tmp_path: Path,
                                                            tracking: float) -> None:
    """A tracked line with no blanks: word gaps only 0.2 em wider than letter gaps."""
    words = "Município de Conceição do Mato Dentro".split()
    pdf = placed_pdf(tmp_path / "tight.pdf", place(words, 10, word_gap=tracking + 0.2,
                                                   tracking=tracking))
    assert lines_of(pdf) == [words]


def test_table_row_of_numbers_is_not_glued(tmp_path: Path) -> None:
    """Column gaps of every width, and evenly spaced single digits wider apart
    than any tracking: separate cells, never one tracked word."""
    cells = ["8", "6", "0", "0", "0", "2", "75,0%"]
    row = [(x, 100, c, 10) for x, c in zip([30, 75, 118, 160, 205, 250, 290], cells)]
    digits = place(list("1234567"), 10, word_gap=0.6, y=130)
    pdf = placed_pdf(tmp_path / "table.pdf", row + digits)
    assert lines_of(pdf) == [cells, list("1234567")]


def _kerned_back(text: str, size: float, x: float, y: float, overlap: float) -> list[tuple]:
    """Each char followed by a blank that the next char is drawn back over, so the
    ink is as close as unspaced text (what some producers do to justify)."""
    out = []
    for i, ch in enumerate(text):
        out.append((x, y, ch, size))
        x += stringWidth(ch, "Helvetica", size)
        if i < len(text) - 1:
            out.append((x - overlap * size, y, " ", size))  # the next char starts inside it
    return out


def test_run_of_kerned_back_blanks_joins(tmp_path: Path) -> None:
    url = "http://www.in.gov.br/autenticidade.html"
    glyphs = [(30, 100, "no endereço eletrônico", 8)]
    glyphs += _kerned_back(url, 8, 30 + stringWidth("no endereço eletrônico ", "Helvetica", 8) + 4,
                           100, overlap=0.09)
    pdf = placed_pdf(tmp_path / "url.pdf", glyphs)
    assert lines_of(pdf) == [["no", "endereço", "eletrônico", url]]


def test_lone_kerned_back_blank_keeps_its_break(tmp_path: Path) -> None:
    """One blank kerned back ("+ Rede" printed as "+Rede") is not a letter-spaced run."""
    size, x = 11, 30.0
    plus = stringWidth("+", "Helvetica", size)
    space = stringWidth(" ", "Helvetica", size)
    glyphs = [(x, 100, "Estadual (65)", size)]
    x += stringWidth("Estadual (65) ", "Helvetica", size)
    glyphs += [(x, 100, "+", size), (x + plus, 100, " ", size),
               (x + plus + 0.01 * size, 100, "Rede Municipal", size)]
    assert space > 0.2 * size
    pdf = placed_pdf(tmp_path / "plus.pdf", glyphs)
    assert lines_of(pdf) == [["Estadual", "(65)", "+", "Rede", "Municipal"]]


def test_line_of_overlapping_char_boxes_splits_at_blanks(tmp_path: Path) -> None:
    """Every pair overlapping by a quarter of an em (widths that do not match the
    glyph positions): gaps mean nothing there, blanks still do."""
    glyphs, x = [], 30.0
    for ch in "PREFEITO ARNALDO LEMOS FIGUEIREDO":
        glyphs.append((x, 100, ch, 11))
        x += stringWidth(ch, "Helvetica", 11) - 0.25 * 11
    pdf = placed_pdf(tmp_path / "overlap.pdf", glyphs)
    assert lines_of(pdf) == [["PREFEITO", "ARNALDO", "LEMOS", "FIGUEIREDO"]]


def test_layout_rules_load() -> None:
    rules = rulebook.load(LAYOUT_FILE, LayoutRules).word_spacing
    assert 0 < rules.word_gap < rules.max_letter_gap


def test_unknown_layout_rules_key_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), rules)
    data = yaml.safe_load((rules / LAYOUT_FILE).read_text(encoding="utf-8"))
    data["word_spacing"]["word_gapp"] = 0.2
    (rules / LAYOUT_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(rules))
    with pytest.raises(RulesError, match="word_gapp"):
        rulebook.load(LAYOUT_FILE, LayoutRules)
