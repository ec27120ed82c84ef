"""Text helpers shared by structure and facts: folding for comparisons."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


class _Strip(dict[int, str | None]):
    """``str.translate`` table that drops combining marks, filled as characters are
    first seen: folding runs over every line of every page, and a Python test per
    character cost more than reading the PDF."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        value = None if unicodedata.combining(char) else char
        self[code] = value
        return value


_STRIP = _Strip()


@lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """Lower case, no accents, single spaces: how titles and names are compared.

    Cached: the same titles and lines are folded again and again (structure compares
    each heading with every initiative's title, letterhead every line across pages)."""
    if not s:
        return ""
    if s.isascii():  # NFKD and the marks leave ASCII as it is
        return " ".join(s.lower().split())
    s = unicodedata.normalize("NFKD", s).translate(_STRIP).lower()
    return " ".join(s.replace("’", "'").split())
