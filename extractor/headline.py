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

A card may print its label in the text layer a little further off, over the figure
("ÓBITOS EM" / "INVESTIGAÇÃO**" / "95"), where the text no longer has it: in reading
order the labels of a row of cards form lines of their own, each mixing the cards'
words. The card's label is read here, from the lines stacked over the figure in its
own column (:func:`card_label`), and handed on with the figure.
"""

from __future__ import annotations

import re
from collections import Counter

from extractor.facts.count_shapes import shapes
from extractor.geometry import rows_of
from extractor.layout import PageLayout
from extractor.pdf import Word

WordKey = tuple[int, float, float]  # page, x0, top: a word's place, kept by the text map
_FIGURE = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
_LETTER = re.compile(r"[^\W\d_]")
LABEL_GAP = 0.3  # a label this many figure sizes away or nearer is the figure's own (a
# card's label sits tight on its figure; the next heading is further off)
CARD_REACH = 1.5  # a card's label ends at most this many figure sizes over its figure
CARD_LINES = 4  # and it has at most this many lines ...
CARD_LEADING = 0.8  # ... each at most this many of its own heights under the one above


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


def _phrases(row: list[Word], gap: float) -> list[list[Word]]:
    """A line's words split where more than ``gap`` lies between two (one card's words each)."""
    out: list[list[Word]] = []
    for w in row:
        if out and w.x0 - out[-1][-1].x1 <= gap:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def card_label(fig: Word, words: list[Word]) -> str | None:
    """The label printed over ``fig`` in its card, when it is one of a row of cards.

    Lines above the figure are cut into phrases where a gap of half the figure's size
    separates two cards; the card's phrase is the one centred over the figure. The
    line nearest the figure, within ``CARD_REACH`` of its size, must hold several
    phrases (a row of cards, each label over its figure: a lone line centred over a
    figure may as well be a panel's heading), and the lines tight over it continue
    the label. Label words are set smaller than the figure and hold letters; a
    figure above (the card over this one) ends the label.
    """
    lo, hi = fig.x0 - fig.size / 2, fig.x1 + fig.size / 2
    over = [w for w in words if w is not fig and w.bottom <= fig.top + 1
            and fig.top - w.bottom <= fig.size * (CARD_REACH + CARD_LINES)]
    label: list[list[Word]] = []
    below = fig.top
    for row in reversed(rows_of(over)):
        phrases = _phrases(row, fig.size / 2)
        mine = [ph for ph in phrases if lo <= (ph[0].x0 + ph[-1].x1) / 2 <= hi]
        if len(mine) != 1 or (not label and len(phrases) < 2):
            break
        phrase = mine[0]
        top, bottom = min(w.top for w in phrase), max(w.bottom for w in phrase)
        if any(w.size >= fig.size or _FIGURE.fullmatch(w.text) for w in phrase):
            break  # a heading as large, or another card's figure
        if not any(_LETTER.search(w.text) for w in phrase):
            break
        if below - bottom > (fig.size * CARD_REACH if not label else (bottom - top) * CARD_LEADING):
            break
        label.append(phrase)
        below = top
        if len(label) == CARD_LINES:
            break
    return " ".join(w.text for phrase in reversed(label) for w in phrase) or None


def headline_figures(layouts: list[PageLayout]) -> dict[WordKey, str | None]:
    """Every headline figure of the document, by :func:`key`, with its card's label."""
    body = body_size(layouts)
    if body <= 0:
        return {}
    least = body * shapes().rules.display_figure_ratio
    out: dict[WordKey, str | None] = {}
    for p in layouts:
        big = [w for ln in p.lines for w in ln.words
               if w.size >= least and _FIGURE.fullmatch(w.text) and w.text != str(p.number)]
        if not big:
            continue
        words = [w for ln in (*p.lines, *p.furniture) for w in ln.words]
        out.update((key(w), card_label(w, words)) for w in big if not _labelled(w, words))
    return out
