"""Build pages of words by hand, so layout and structure tests need no PDF."""

from __future__ import annotations

from extractor.pdf import Page, Word


def words(text: str, x: float, top: float, *, size: float = 12.0, bold: bool = False,
          page: int = 1) -> list[Word]:
    """Words of ``text`` set left to right from ``x`` on the line at ``top``."""
    out = []
    for token in text.split():
        width = len(token) * size * 0.5
        out.append(Word(text=token, x0=x, top=top, x1=x + width, bottom=top + size,
                        size=size, bold=bold, page=page))
        x += width + size * 0.3
    return out


def page(number: int, lines: list[list[Word]], width: float = 960, height: float = 540) -> Page:
    return Page(number=number, width=width, height=height,
                words=tuple(w for ln in lines for w in ln), images=0)
