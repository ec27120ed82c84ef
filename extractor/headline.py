"""Headline figures: a dashboard's big numbers whose labels are drawn in an image.

A bulletin's KPI panel may print "296.065" at 55 pt in the text layer while its label
("Nº DE PESSOAS AVALIADAS") is part of the panel's picture. Read as text, such a figure
stands alone and no rule gives it a unit, yet it is a count (EXTRACTION-GUIDE.md). It is
told apart by geometry, which the text handed to the fact finders no longer has: a whole
number set at least ``display_figure_ratio`` (rules/counts.yaml) times the document's body
size, with no word of letters beside, above or below it within a third of its own
size, and not the page's own number. A big
figure whose label is printed next to it ("45" over "R$ milhões por projeto", "9" beside
"novos") is left to the text rules, which read that label; a number in a decree or a
gazette is set in body type and is never a headline.
"""

from __future__ import annotations

import re
from collections import Counter

from extractor.facts.count_shapes import shapes
from extractor.layout import PageLayout
from extractor.pdf import Word

WordKey = tuple[int, float, float]  # page, x0, top: a word's place, kept by the text map
_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
_LETTER = re.compile(r"[^\W\d_]")
LABEL_GAP = 0.3  # a label this many figure sizes away or nearer is the figure's own (a
# card's label sits tight on its figure; the next heading is further off)


def key(word: Word) -> WordKey:
    return (word.page, word.x0, word.top)


def body_size(layouts: list[PageLayout]) -> float:
    """The size most of the document's characters are set in (its body text)."""
    weights: Counter[float] = Counter()
    for p in layouts:
        for ln in p.lines:
            for w in ln.words:
                weights[w.size] += len(w.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _labelled(fig: Word, words: list[Word]) -> bool:
    """Whether a word of letters lies beside, above or below ``fig`` within LABEL_GAP of its size."""
    gap = fig.size * LABEL_GAP
    for w in words:
        if w is fig or not _LETTER.search(w.text):
            continue
        dx = max(w.x0 - fig.x1, fig.x0 - w.x1)  # < 0 when they overlap across
        dy = max(w.top - fig.bottom, fig.top - w.bottom)
        if (dx < 0 and dy <= gap) or (dy < 0 and dx <= gap):
            return True
    return False


def headline_figures(layouts: list[PageLayout]) -> frozenset[WordKey]:
    """Every headline figure of the document, by :func:`key`."""
    body = body_size(layouts)
    if body <= 0:
        return frozenset()
    least = body * shapes().rules.display_figure_ratio
    out: set[WordKey] = set()
    for p in layouts:
        big = [w for ln in p.lines for w in ln.words
               if w.size >= least and _FIGURE.fullmatch(w.text) and w.text != str(p.number)]
        if not big:
            continue
        words = [w for ln in (*p.lines, *p.furniture) for w in ln.words]
        out.update(key(w) for w in big if not _labelled(w, words))
    return frozenset(out)
