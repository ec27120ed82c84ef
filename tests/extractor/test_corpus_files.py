"""The sample corpus under corpus/ is reproducible, and its gold files follow the guide.

corpus/make.py renders corpus/texts/*.txt to PDFs and derives each gold file from
the facts marked in the text. These tests check that a fresh build is byte-identical
to what is committed (so PDFs, texts and gold never drift), that every gold file has
the shape score.py reads and EXTRACTION-GUIDE.md prescribes, that every title and fact
text is really printed in its PDF, and that the corpus keeps the situations it was
written to exercise (editions that change, a two-slide initiative, slides without an
area heading). PDF text is read with pypdfium2, independently of the extractor's
pdfplumber code, so an extractor bug cannot hide a corpus bug.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SCORE_PY = Path(os.environ.get("RELATO_SCORE_PY", "/work/shared/tools/score.py"))
ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
KINDS = {"date", "period", "count", "percentage", "money", "municipality"}
QUALIFIERS = {"exact", "at_least", "approx", "target", "at_most"}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = _load("relato_corpus_make", CORPUS / "make.py")
srcformat = sys.modules["srcformat"]  # imported by make.py from corpus/
DOCS = sorted(p.name[: -len(".txt")] for p in (CORPUS / "texts").glob("*.txt"))


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(s.replace("-", " ").split())


def gold_of(name: str) -> dict:
    return json.loads((CORPUS / f"{name}.gold.json").read_text(encoding="utf-8"))


def pdf_text(name: str) -> str:
    pdf = pdfium.PdfDocument(str(CORPUS / f"{name}.pdf"))
    pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    return " ".join(" ".join(pages).split())


def test_corpus_has_the_planned_documents():
    assert DOCS == ["relatorio-a4-2025-10", "status-deck-2025-06",
                    "status-deck-2025-08", "status-deck-2025-10"]


def test_make_rebuilds_byte_identical_files(tmp_path):
    make.build_all(str(tmp_path))
    for name in DOCS:
        for suffix in (".pdf", ".gold.json"):
            fresh = (tmp_path / f"{name}{suffix}").read_bytes()
            committed = (CORPUS / f"{name}{suffix}").read_bytes()
            assert fresh == committed, f"{name}{suffix} is stale: run python corpus/make.py"


@pytest.mark.parametrize("name", DOCS)
def test_committed_pdfs_stay_small(name):
    assert (CORPUS / f"{name}.pdf").stat().st_size < 100_000


def _area_numbers(name: str) -> set[int]:
    doc = make.parse(str(CORPUS / "texts" / f"{name}.txt"))
    return set(doc.areas) | {e.area for e in doc.entries if e.kind == "area"}


def _check_value(f: dict) -> None:
    kind, v = f["kind"], f["value"]
    if kind == "date":
        assert isinstance(v, str) and ISO.match(v), f
    elif kind == "period":
        assert set(v) == {"start", "end"} and ISO.match(v["start"]) and ISO.match(v["end"]), f
        assert v["start"] <= v["end"], f
    elif kind == "municipality":
        assert re.fullmatch(r"31\d{5}", v), f
        assert srcformat.MG[srcformat.fold(f["name"])]["code"] == int(v), f
        assert fold(f["text"]) == fold(f["name"]), f
    else:
        assert isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0, f
    if kind == "count":
        assert f["unit"] and f["unit"] == f["unit"].lower(), f
        assert f["qualifier"] in QUALIFIERS, f
    if kind == "percentage":
        assert v <= 100, f


@pytest.mark.parametrize("name", DOCS)
def test_gold_is_shaped_as_the_guide_says(name):
    gold = gold_of(name)
    assert gold["doc"] == name and re.fullmatch(r"\d{4}-\d{2}", gold["status_date"])
    titles = [fold(it["title"]) for it in gold["initiatives"]]
    assert len(titles) == len(set(titles)) and len(titles) >= 10
    areas = _area_numbers(name)
    for it in gold["initiatives"]:
        assert it["title"] == " ".join(it["title"].split()) != ""
        assert it["area_number"] is None or it["area_number"] in areas
        keys = set()
        for f in it["facts"]:
            assert f["kind"] in KINDS and f["text"].strip(), f
            _check_value(f)
            key = (f["kind"], json.dumps(f["value"], sort_keys=True))
            assert key not in keys, f"duplicate fact {f} in {it['title']}"
            keys.add(key)


@pytest.mark.parametrize("name", DOCS)
def test_titles_and_fact_texts_are_printed_in_the_pdf(name):
    text = fold(pdf_text(name))
    for it in gold_of(name)["initiatives"]:
        assert fold(it["title"]) in text, it["title"]
        for f in it["facts"]:
            assert fold(f["text"]) in text, (it["title"], f["text"])


def _as_prediction(gold: dict) -> dict:
    """The gold rewritten in the `relato extract` shape score.py reads for predictions."""
    inits = [{"title": it["title"],
              "area": {"number": it["area_number"]} if it["area_number"] else None,
              "extractions": it["facts"]} for it in gold["initiatives"]]
    return {"report": {"status_date": gold["status_date"]}, "initiatives": inits}


@pytest.mark.skipif(not SCORE_PY.exists(), reason="shared score.py not available")
@pytest.mark.parametrize("name", DOCS)
def test_gold_scores_perfectly_against_itself(name):
    score = _load("relato_shared_score", SCORE_PY)
    gold = gold_of(name)
    result = score.score(gold, _as_prediction(gold))
    assert result["all"]["f1"] == 1.0 and result["initiatives"]["f1"] == 1.0
    assert result["status_date_ok"] and result["area_accuracy"] in (1.0, None)
    assert result["unit_accuracy"] == 1.0 and result["qualifier_accuracy"] == 1.0


def _titles(name: str) -> set[str]:
    return {it["title"] for it in gold_of(name)["initiatives"]}


def test_deck_editions_change_like_real_editions():
    jun, ago, out = (_titles(f"status-deck-2025-{m}") for m in ("06", "08", "10"))
    assert "AMPLIAR O PIX NOS SERVIÇOS ESTADUAIS" in jun & ago
    assert "AMPLIAR O PIX EM SERVIÇOS ESTADUAIS" in out - ago            # renamed
    assert "REALIZAR O CENSO DE MATURIDADE DIGITAL DOS MUNICÍPIOS" in ago - out  # dropped
    assert "IMPLANTAR ASSISTENTE VIRTUAL COM INTELIGÊNCIA ARTIFICIAL NO ATENDIMENTO" in out - ago


def _facts(name: str, title: str) -> list[dict]:
    return next(it for it in gold_of(name)["initiatives"] if it["title"] == title)["facts"]


def test_a_count_falls_back_between_editions():
    title = "LEVAR INTERNET MÓVEL A LOCALIDADES RURAIS"
    values = [next(f["value"] for f in _facts(f"status-deck-2025-{m}", title)
                   if f.get("unit") == "localidades") for m in ("06", "08", "10")]
    assert values == [305, 327, 312]


def test_two_slide_initiative_is_one_gold_initiative_with_facts_of_both_slides():
    title = "EXPANDIR O ATENDIMENTO DIGITAL NAS UNIDADES DE ATENDIMENTO INTEGRADO"
    facts = _facts("status-deck-2025-10", title)
    assert {"41.205", "Montes Claros", "novembro"} <= {f["text"] for f in facts}
    assert pdf_text("status-deck-2025-10").count(title) == 2


def test_decks_have_initiatives_without_area_heading():
    for m in ("06", "08", "10"):
        assert sum(it["area_number"] is None for it in gold_of(f"status-deck-2025-{m}")["initiatives"]) == 2


def test_big_deck_has_the_requested_page_count(tmp_path):
    out = tmp_path / "big.pdf"
    make.build_big(40, str(out))
    pdf = pdfium.PdfDocument(str(out))
    assert len(pdf) == 40
    assert "— BLOCO 3" in " ".join(pdf[30].get_textpage().get_text_range().split())
