"""Text helpers shared by structure and facts: folding for comparisons."""

from __future__ import annotations

import unicodedata


def fold(s: str) -> str:
    """Lower case, no accents, single spaces: how titles and names are compared."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(s.replace("’", "'").split())
