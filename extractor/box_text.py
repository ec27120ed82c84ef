"""The words printed in a box of one page, or where a run of words is printed: what a
reviewer who adds a fact the extraction missed points at.

A reviewer draws a box on the page image, or selects a span of the fact's source text.
Either way the new fact needs its printed text and its box, read the way the extraction
reads pages: the text layer's words (extractor/pdf.py), or Tesseract's for a scanned page
(extractor/ocr.py), so the value parsed from it is the one the rules would have read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from extractor import ocr
from extractor.pdf import Word, read_pages

MIN_INSIDE = 0.5  # share of a word's box inside the drawn box for it to count as inside
PUNCTUATION = ".,;:!?()[]“”\"'«»"


def page_words(path: str | Path, number: int) -> list[Word]:
    """The words of page `number` (1-based) as the extraction reads them, OCR included."""
    warnings: list[str] = []
    for page in read_pages(path, warnings):
        if page.number == number:
            return list(ocr.read_scanned(path, [page], warnings)[0].words)
    return []


def _inside(word: Word, box: Sequence[float]) -> bool:
    x0, top, x1, bottom = box
    w = max(0.0, min(word.x1, x1) - max(word.x0, x0))
    h = max(0.0, min(word.bottom, bottom) - max(word.top, top))
    area = max(1e-6, (word.x1 - word.x0) * (word.bottom - word.top))
    return w * h / area >= MIN_INSIDE


def reading_order(words: Sequence[Word]) -> list[Word]:
    """Lines top to bottom (a word joins a line its vertical middle falls in), each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        line = next((ln for ln in lines if ln[0].top <= middle <= ln[0].bottom), None)
        if line is None:
            lines.append([word])
        else:
            line.append(word)
    return [w for line in lines for w in sorted(line, key=lambda w: w.x0)]


def words_in_box(words: Sequence[Word], box: Sequence[float]) -> list[Word]:
    """The words at least half inside `box` ([x0, top, x1, bottom], PDF points), in reading order."""
    return reading_order([w for w in words if _inside(w, box)])


def _plain(text: str) -> str:
    return text.casefold().strip(PUNCTUATION)


def find_run(words: Sequence[Word], text: str, near: Sequence[float] | None = None) -> list[Word]:
    """The run of consecutive words (in reading order) that spells `text`, whitespace aside; the
    first and last word may be cut (a selection starting or ending inside a word). With several
    runs, the one nearest `near`'s top-left corner. Empty when none spells it."""
    wanted = [_plain(t) for t in text.split()]
    wanted = [t for t in wanted if t]
    ordered = reading_order(words)
    if not wanted:
        return []
    runs: list[list[Word]] = []
    for start in range(len(ordered) - len(wanted) + 1):
        run = ordered[start:start + len(wanted)]
        got = [_plain(w.text) for w in run]
        if len(wanted) == 1:
            ok = wanted[0] in got[0]
        else:
            ok = (got[0].endswith(wanted[0]) and got[-1].startswith(wanted[-1])
                  and got[1:-1] == wanted[1:-1])
        if ok:
            runs.append(run)
    if not runs:
        return []
    if near is None:
        return runs[0]
    return min(runs, key=lambda r: abs(r[0].top - near[1]) + abs(r[0].x0 - near[0]))


def box_of(words: Sequence[Word]) -> list[float]:
    """The union of the words' boxes, [x0, top, x1, bottom]."""
    return [min(w.x0 for w in words), min(w.top for w in words), max(w.x1 for w in words),
            max(w.bottom for w in words)]
