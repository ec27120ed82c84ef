"""extractor/pdf.py reads chars straight off pdfplumber's layout for speed and groups
them into words per line (tracked lines whole, tight words not glued; see
test_word_spacing.py). Two pins on every corpus PDF:

1. the chars it reads are pdfplumber's: grouped by pdfplumber's own word extractor
   they give exactly ``Page.extract_words`` (same grouping, boxes, fonts), once
   sizes are rounded to a thousandth of a point and chars whose matrix skew is
   float noise are upright, as pdf.py reads them. A
   pdfplumber upgrade that changes how chars are built shows up here first.
2. relato's words are pdfplumber's words, except on the lines the spacing rules
   mend; those changes are listed, page by page, in ``word_spacing_changes.json``
   (before -> after). A PDF not listed there must come out word for word, box for
   box, as before; a listed one must change exactly as listed and lose no char but
   copies of a glyph printed over itself (strings printed over each other may come
   out in another order).
   A new or lost change fails: review it, then ``pytest --regenerate-golden``.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdfinterp import PDFPageInterpreter
from reportlab.pdfgen import canvas

from extractor.pdf import SKEW_TOLERANCE, _CharDevice, _chars_and_images, group_words
from tests.conftest import PROJECT_CORPUS, SHARED_DEV, SHARED_REAL

PDFS = sorted(PROJECT_CORPUS.glob("*.pdf"))
ALL_PDFS = list(PDFS)
for extra in (SHARED_DEV, SHARED_REAL):
    if extra.is_dir():
        PDFS += sorted(extra.glob("*.pdf"))[:6]
        ALL_PDFS += sorted(extra.glob("*.pdf"))
CHANGES = Path(__file__).with_name("word_spacing_changes.json")


def _key(w: dict) -> tuple:
    return (w["text"], round(w["x0"], 3), round(w["top"], 3), round(w["x1"], 3),
            round(w["bottom"], 3), w["fontname"], round(w["size"], 3))


def _corrected(chars: list[dict]) -> list[dict]:
    """pdfplumber's chars with the two corrections extractor/pdf.py makes: sizes to a
    thousandth of a point, and chars whose matrix skew is noise upright."""
    out = []
    for c in chars:
        a, b, cc, d, _, _ = c["matrix"]
        upright = c["upright"]
        if (b or cc) and abs(b) <= SKEW_TOLERANCE * abs(a) and abs(cc) <= SKEW_TOLERANCE * abs(d):
            upright = a * d > 0
        out.append({**c, "size": round(c["size"], 3), "upright": upright})
    return out


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.stem)
def test_words_match_pdfplumber_extract_words(pdf: Path) -> None:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages[:12]:
            want = pdfplumber.utils.extract_words(_corrected(page.chars),
                                                  extra_attrs=["fontname", "size"],
                                                  keep_blank_chars=False)
            images = len(page.images)
            chars, got_images = _chars_and_images(page)
            got = pdfplumber.utils.extract_words(chars, extra_attrs=["fontname", "size"],
                                                 keep_blank_chars=False)
            assert [_key(w) for w in got] == [_key(w) for w in want], f"page {page.page_number}"
            assert got_images == images
            page.close()


def word_changes(pdf: Path) -> list[list]:
    """[page, pdfplumber's words, relato's words] for every stretch of a page where
    they differ; asserts that unchanged words keep their boxes and no char is lost."""
    out: list[list] = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars, _ = _chars_and_images(page)
            before = pdfplumber.utils.extract_words(chars, extra_attrs=["fontname", "size"],
                                                    keep_blank_chars=False)
            after = group_words(chars)
            n = page.page_number
            # no char lost, but for glyphs printed over themselves (read once: fake bold);
            # strings printed over each other are read apart, so the order may change
            got, had = Counter("".join(w["text"] for w in after)), Counter("".join(w["text"] for w in before))
            assert set(got) == set(had) and not got - had, n
            a, b = [w["text"] for w in before], [w["text"] for w in after]
            # aligned on text and place, so a word met twice on a page pairs with itself
            ka = [(w["text"], round(w["x0"]), round(w["top"])) for w in before]
            kb = [(w["text"], round(w["x0"]), round(w["top"])) for w in after]
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
                if op == "equal":
                    assert [_key(w) for w in before[i1:i2]] == [_key(w) for w in after[j1:j2]], n
                else:
                    out.append([n, " ".join(a[i1:i2]), " ".join(b[j1:j2])])
            page.close()
    return out


def _pinned() -> dict[str, list[list]]:
    return json.loads(CHANGES.read_text(encoding="utf-8")) if CHANGES.exists() else {}


@pytest.mark.parametrize("pdf", ALL_PDFS, ids=lambda p: p.stem)
def test_words_change_only_where_spacing_rules_mend_them(pdf: Path,
                                                         regenerate_golden: bool) -> None:
    got = word_changes(pdf)
    if regenerate_golden:
        pinned = _pinned()
        pinned.pop(pdf.stem, None)
        if got:
            pinned[pdf.stem] = got
        text = "{\n" + ",\n".join(
            f"{json.dumps(stem)}: [\n" + ",\n".join(json.dumps(c, ensure_ascii=False)
                                                   for c in pinned[stem]) + "\n]"
            for stem in sorted(pinned)) + "\n}\n"
        CHANGES.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {pdf.stem} in {CHANGES.name}")
    assert got == _pinned().get(pdf.stem, []), (
        f"words of {pdf.name} changed against pdfplumber's beyond {CHANGES.name}; "
        "if intended, --regenerate-golden and review the diff")


class _PerCharDevice(_CharDevice):
    """The device with pdfminer's own string loop: one ``render_char`` call per char."""

    render_string_horizontal = PDFTextDevice.render_string_horizontal


def _raw_chars(pdf: Path, device: type[_CharDevice]) -> list[str]:
    """Every char the device reads, each float written out in full (``repr``)."""
    out = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            dev = device(page.pdf.rsrcmgr)
            PDFPageInterpreter(page.pdf.rsrcmgr, dev).process_page(page.page_obj)
            out += [repr(c) for c in dev.raw]
            page.close()
    return out


def _spaced_pdf(path: Path) -> Path:
    """Strings set with char and word spacing, horizontal scaling, rise and TJ kerning,
    under an upright, a noisy, a turned and a mirrored text matrix."""
    c = canvas.Canvas(str(path), pagesize=(842, 595))
    c.setPageCompression(0)
    for i, (a, b, cc, d) in enumerate([(12, 0, 0, 12), (18, -3.7e-08, -7.7e-11, 18),
                                       (0, 10, -10, 0), (-9, 0, 0, 9), (8, 2, 1, 8)]):
        t = c.beginText()
        t.setFont("Helvetica", 1)
        t.setTextTransform(a, b, cc, d, 100 + 60 * i, 500 - 90 * i)
        t.setCharSpace(0.07 * i)
        t.setWordSpace(0.3)
        t.setHorizScale(80 + 10 * i)
        t.setRise(0.2 * i)
        t.textOut("Abaeté, São João del-Rei ")
        c.drawText(t)
    c._code.append("BT /F1 11 Tf 40 40 Td [(Pin) -120 (go) 250 (d’Água)] TJ ET")
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("pdf", ALL_PDFS + ["spaced"], ids=lambda p: getattr(p, "stem", p))
def test_char_boxes_equal_pdfminers_per_char_loop_to_the_last_bit(pdf: Path | str, tmp_path: Path) -> None:
    """_CharDevice computes a string's char boxes in one loop; pdfminer calls render_char
    per char. Same arithmetic, same order: every float equal, not just close."""
    path = _spaced_pdf(tmp_path / "spaced.pdf") if pdf == "spaced" else pdf
    chars = _raw_chars(path, _CharDevice)
    assert chars or "scan" in path.name  # a scan has no text layer
    assert chars == _raw_chars(path, _PerCharDevice)
