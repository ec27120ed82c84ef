"""Initiative text with a map back to the words it came from, for page and bbox evidence.

Finders see plain text; every fact must still say where on which page it was
printed. :class:`TextMap` remembers, for each word, its character span in the
text and the line it was printed on, so a candidate's span becomes the union box
of its words, and, when it wraps, one box per printed line (a box over both lines
would also cover the unrelated text beside them).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from extractor.geometry import merge_bboxes
from extractor.layout import Line
from extractor.pdf import Word


@dataclass
class TextMap:
    """Text built line by line, with each word's ``(start, end)`` remembered."""

    parts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    line_of: list[int] = field(default_factory=list)  # per word: which add_line call
    length: int = 0
    lines: int = 0

    def _put(self, s: str, word: Word | None = None) -> None:
        if word is not None:
            self.starts.append(self.length)
            self.ends.append(self.length + len(s))
            self.words.append(word)
            self.line_of.append(self.lines)
        self.parts.append(s)
        self.length += len(s)

    def add_line(self, line: Line, sep: str = "\n") -> None:
        """Append a line (``sep`` before it unless the text is empty); cells joined by tabs."""
        if self.length:
            self._put(sep)
        self.lines += 1
        for ci, cell in enumerate(line.cells or (line.words,)):
            if ci:
                self._put("\t")
            for wi, w in enumerate(cell):
                if wi:
                    self._put(" ")
                self._put(w.text, w)

    def add_break(self, s: str = "\n\n") -> None:
        self._put(s)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def words_in(self, start: int, end: int) -> list[Word]:
        """Words whose characters overlap ``[start, end)``."""
        lo = bisect_right(self.ends, start)
        hi = bisect_left(self.starts, end)
        return self.words[lo:hi]


BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Evidence:
    """Where a span was printed: its page, the union box, and one box per printed line
    when it wraps (``None`` on one line, where the union box is that line)."""

    page: int
    bbox: BBox
    lines: list[BBox] | None


def locate(tm: TextMap, start: int, end: int) -> Evidence | None:
    """Page, union bbox and line boxes of the words under ``[start, end)`` (first page if split)."""
    lo = bisect_right(tm.ends, start)
    hi = bisect_left(tm.starts, end)
    if lo >= hi:
        return None
    page = tm.words[lo].page
    by_line: dict[int, list[Word]] = {}
    for word, line in zip(tm.words[lo:hi], tm.line_of[lo:hi]):
        if word.page == page:
            by_line.setdefault(line, []).append(word)
    boxes = [merge_bboxes(words) for words in by_line.values()]
    return Evidence(page, merge_bboxes(w for words in by_line.values() for w in words),
                    boxes if len(boxes) > 1 else None)
