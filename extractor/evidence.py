"""Initiative text with a map back to the words it came from, for page and bbox evidence.

Finders see plain text; every fact must still say where on which page it was
printed. :class:`TextMap` remembers, for each word, its character span in the
text, so a candidate's span becomes the union box of its words.
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
    length: int = 0

    def _put(self, s: str, word: Word | None = None) -> None:
        if word is not None:
            self.starts.append(self.length)
            self.ends.append(self.length + len(s))
            self.words.append(word)
        self.parts.append(s)
        self.length += len(s)

    def add_line(self, line: Line, sep: str = "\n") -> None:
        """Append a line (``sep`` before it unless the text is empty); cells joined by tabs."""
        if self.length:
            self._put(sep)
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


def locate(tm: TextMap, start: int, end: int) -> tuple[int, tuple[float, float, float, float]] | None:
    """Page and union bbox of the words under ``[start, end)`` (first page if split)."""
    words = tm.words_in(start, end)
    if not words:
        return None
    page = words[0].page
    return page, merge_bboxes(w for w in words if w.page == page)
