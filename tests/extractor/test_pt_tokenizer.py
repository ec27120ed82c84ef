"""The pure-Python blank-pt tokenizer (extractor/facts/tokenizer.py) cuts every text
exactly as spaCy's does: same token offsets and lengths, hence the same pieces for the
municipality finder. spaCy is the oracle here; the extraction path never imports it."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings, strategies as st
from spacy.tokens import Doc

from extractor import cache
from extractor.facts import tokenizer
from extractor.facts.municipality_text import _PART, TAB, Piece, _fold, text_pieces
from extractor.layout import PageLayout, layout_pages
from extractor.pdf import read_pages
from tests.conftest import PROJECT_CORPUS, SHARED_DEV, SHARED_REAL

SPACY = spacy.blank("pt").tokenizer


@lru_cache(maxsize=1)
def _fresh() -> tokenizer.Tokenizer:
    """Rules exported now, not read from the cache."""
    return tokenizer.Tokenizer(tokenizer.export_rules())


def _spacy_tokens(text: str) -> list[tuple[int, int]]:
    return [(t.idx, t.idx + len(t)) for t in SPACY(text)]


def _spacy_pieces(doc: Doc) -> list[Piece]:
    """The finder's pieces as they were made from a spaCy Doc, token by token."""
    out = []
    for t in doc:
        if t.is_space:
            if TAB in t.text:
                out.append(Piece(TAB, t.idx, t.idx + len(t), t.text))
            continue
        for part in _PART.finditer(t.text):
            out.append(Piece(_fold(part.group()), t.idx + part.start(), t.idx + part.end(), part.group()))
    return [p for p in out if p.key]


def assert_same(text: str) -> None:
    expected = _spacy_tokens(text)
    assert _fresh()(text) == expected, text
    assert tokenizer.pt_tokenizer()(text) == expected, text
    assert text_pieces(text) == _spacy_pieces(SPACY(text)), text


@pytest.mark.parametrize("text", [
    "", " ", "  ", "\n", "\t", " a", "a ", "a  b", "a \n b", "a\tb", "a\r\nb", "a\u00a0b",
    "São João del-Rei", "Pingo-d'Água", "PINGO D’ÁGUA", "d'Água",
    "Dr.", "(Dr.)", "Dr .", "x/Dr.", "x-Dr.", "Dr.)", "etc.etc.", "°C.", "x°C.", "x/°C.", "S/A", "e/ou",
    "R$ 10,00", "R$1.234,56", "10%", "12,5%", "nº 5", "Nº 12", "1º", "2ª", "Art. 5º", "(R$ 2 mil)",
    "http://x.com/a,b.", "https://www.mg.gov.br/saude?x=1&y=2).", "fulano@x.com.br.", "www.gov.br;",
    "01/02/2025", "2024-2026", "3.500.000", "“aspas”", "«x»", "...", "a...b", "—", "a—b", ":)", "a:) b",
])
def test_tokens_equal_spacy_on_tricky_texts(text: str) -> None:
    assert_same(text)


def test_regex_whitespace_is_str_isspace() -> None:
    """Runs are cut with re's \\s; spaCy cuts them with str.isspace: the same characters."""
    chars = "".join(map(chr, range(sys.maxunicode + 1)))
    assert {m.group() for m in re.finditer(r"\s", chars)} == {c for c in chars if c.isspace()}


_PIECES = ["Dr.", "dr.", "Sr.", "Sra.", "etc.", "art.", "Av.", "°C.", "S/A", "e/ou", "km/h", ":)", "(:",
           "R$", "nº", "Nº", "º", "ª", "http://", "https://www.", ".gov.br", ".com", "@", "www.",
           "São", "João", "del-Rei", "d'Água", "Pingo-d’Água", "2025", "1.234,56", "...", "’’", "''"]
_ALPHABET = ("aáâãàbcçdeéêfghiíjklmnoóôõpqrstuúüvwxyz"
             "AÁÂÃÀBCÇDEÉÊFGHIÍJKLMNOÓÔÕPQRSTUÚVWXYZ0123456789"
             ".,;:-'’‘/()[]%ºª°$€\"“”!?&_=+*#§–—… \t\n\r\u00a0")


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(_ALPHABET, max_size=8)), max_size=12))
def test_tokens_equal_spacy_on_generated_texts(parts: list[str]) -> None:
    assert_same("".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_tokens_equal_spacy_on_any_unicode(text: str) -> None:
    assert_same(text)


def _texts(layouts: list[PageLayout]) -> list[str]:
    """Each page's text as the extractor joins it (cells by tabs, lines by line breaks,
    blocks by a blank line), and each cell alone, as the table finder reads headers."""
    out = []
    for page in layouts:
        parts, block = [], None
        for line in page.furniture + page.lines:
            if parts:
                parts.append("\n\n" if line.block != block else "\n")
            parts.append(line.text)
            block = line.block
            out += [cell.strip() for cell in line.text.split(TAB)] if line.cells else []
        out.append("".join(parts))
    return out


CORPUS = [*sorted(PROJECT_CORPUS.glob("*.pdf")), *sorted(SHARED_DEV.glob("*.pdf")),
          *sorted(SHARED_REAL.glob("*.pdf"))]


@pytest.mark.parametrize("pdf", CORPUS, ids=lambda p: p.name)
def test_tokens_equal_spacy_on_corpus_texts(pdf: Path) -> None:
    texts = _texts(layout_pages(list(read_pages(pdf))))
    document = "\n\n".join(texts)
    for text in texts:
        assert_same(text)
    assert_same(document)


def test_rules_come_from_the_start_up_cache_keyed_by_spacy_version() -> None:
    rules = tokenizer.rules()
    assert rules == tokenizer.export_rules()
    assert rules.spacy_version == spacy.__version__
    # the cache key hashes every installed distribution's name and version, spaCy's among them
    assert f"spacy-{spacy.__version__}.dist-info".encode() in cache._versions()


def test_extraction_does_not_import_spacy(tmp_path: Path) -> None:
    pdf = PROJECT_CORPUS / "status-deck-2025-10.pdf"
    code = ("import sys; from extractor.pipeline import extract_pdf; "
            f"extract_pdf({str(pdf)!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy'))")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[2]) for _ in range(2)]
    assert runs[-1].stdout.strip() == "[]"  # the second process reads the cache the first wrote
