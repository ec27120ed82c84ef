"""Evidence boxes: a fact wrapped over two printed lines gets one box per line (issue 13,
item 7), so the review page marks the two pieces and not the text between them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extractor.evidence import TextMap, locate
from extractor.layout import Line
from extractor.pdf import Word

ROOT = Path(__file__).resolve().parents[2]


def _line(page: int, top: float, *words: tuple[str, float, float]) -> Line:
    return Line(words=tuple(Word(t, x0, top, x1, top + 10, 10, False, page) for t, x0, x1 in words),
                page=page, block=0)


def _map() -> TextMap:
    tm = TextMap()
    tm.add_line(_line(1, 100, ("Foram", 40, 70), ("atendidas", 72, 120), ("1,7", 400, 415), ("bilhão", 417, 450)))
    tm.add_line(_line(1, 112, ("de", 40, 50), ("consultas", 52, 95), ("em", 97, 108), ("2025", 110, 130)))
    return tm


def test_wrapped_span_has_one_box_per_line_and_the_union() -> None:
    tm = _map()
    start = tm.text.index("1,7")
    end = tm.text.index("consultas") + len("consultas")
    where = locate(tm, start, end)
    assert where is not None
    assert where.bbox == (40.0, 100.0, 450.0, 122.0)
    assert where.lines == [(400.0, 100.0, 450.0, 110.0), (40.0, 112.0, 95.0, 122.0)]


def test_span_on_one_line_has_no_line_boxes() -> None:
    tm = _map()
    start = tm.text.index("1,7")
    where = locate(tm, start, start + len("1,7 bilhão"))
    assert where is not None and where.lines is None
    assert where.bbox == (400.0, 100.0, 450.0, 110.0)


def test_cli_json_gives_lines_only_to_wrapped_facts() -> None:
    """`relato extract` adds `lines` (allowed: EXTRACT-JSON.md lets fields be added) only
    where a fact wraps; each line box lies inside the union `bbox`, top to bottom."""
    out = subprocess.run([sys.executable, "-m", "extractor.cli", str(ROOT / "corpus" / "status-deck-2025-10.pdf")],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    facts = [e for it in json.loads(out.stdout)["initiatives"] for e in it["extractions"]]
    wrapped = [e for e in facts if "lines" in e]
    assert wrapped and len(wrapped) < len(facts)
    for fact in wrapped:
        x0, top, x1, bottom = fact["bbox"]
        assert len(fact["lines"]) >= 2
        for a, b in zip(fact["lines"], fact["lines"][1:]):
            assert a[3] <= b[1], f"{fact['text']}: line boxes overlap {fact['lines']}"
        for lx0, ltop, lx1, lbottom in fact["lines"]:
            assert x0 <= lx0 and top <= ltop and lx1 <= x1 and lbottom <= bottom
        assert min(b[1] for b in fact["lines"]) == top and max(b[3] for b in fact["lines"]) == bottom
