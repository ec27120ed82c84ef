"""Lists of labelled figures: "- Palhoça - 1" under "ÓBITOS POR MUNICÍPIO ...".

Bulletins list places or groups one per line with their figure after a dash; the
label names where, not what, so the unit comes from the caption that introduces
the list (guide, count: "take the unit from the label, sentence or column header
that introduces it"). A line counts only inside a run of such lines
(``min_run``), which keeps a lone "Rua Central - 55" out. Rules: rules/label_lists.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import ConfigDict, Field

from extractor import rulebook

LABEL_LISTS_FILE = "label_lists.yaml"


class LabelListRules(rulebook.RulesModel):
    """``rules/label_lists.yaml``."""

    model_config = ConfigDict(extra="forbid")
    bullets: list[str] = Field(min_length=1)
    dashes: list[str] = Field(min_length=1)
    caption_links: list[str] = Field(min_length=1)
    caption_window: int = Field(gt=0)
    min_run: int = Field(ge=2)
    panel_label_words: int = Field(ge=1)


@dataclass(frozen=True)
class _Patterns:
    cell: re.Pattern[str]  # one "label - figure" cell, the whole of it
    caption: re.Pattern[str]  # "WHAT POR ...": a caption line
    window: int
    min_run: int
    figure: re.Pattern[str]  # a cell that is a figure and nothing else
    label: re.Pattern[str]  # a panel's label cell: a few words, no digit


def _chars(signs: list[str]) -> str:
    return "".join(re.escape(s) for s in signs)


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    r = rulebook.load(LABEL_LISTS_FILE, LabelListRules)
    links = "|".join(re.escape(w) for w in r.caption_links)
    cell = (rf"^[ ]*(?:[{_chars(r.bullets)}][ ]*)?(?P<label>[^\W\d_][^\d\t\n:=]{{0,60}}?)"
            rf"[ ]*[{_chars(r.dashes)}][ ]*'?(?P<figure>\d[\d.,]*)[ ]*$")
    caption = rf"^[ \t]*(?P<what>[^\W\d_]+(?:[ ]+[^\W\d_]+){{0,3}})[ ]+(?:{links})[ ]+[^\W\d_]"
    label = rf"^[ ]*[^\W\d_][^\W\d_'’-]*(?:[ ]+[^\W\d_][^\W\d_'’-]*){{0,{r.panel_label_words - 1}}}[ ]*$"
    return _Patterns(re.compile(cell), re.compile(caption, re.IGNORECASE), r.caption_window, r.min_run,
                     re.compile(r"^[ ]*\d[\d.,]*[ ]*$"), re.compile(label))


def _lines_above(text: str, ls: int, count: int) -> list[str]:
    """Up to ``count`` lines that end before offset ``ls`` (a line start), nearest last:
    found by scanning back, so a long text is not split again for every figure."""
    start = ls - 1
    for _ in range(count):
        if start <= 0:
            start = -1
            break
        start = text.rfind("\n", 0, start)
    return text[start + 1 : max(ls - 1, start + 1)].split("\n") if ls > 0 else []


def _cells(line: str) -> list[str]:
    return line.split("\t")


def _is_list_line(line: str, pat: _Patterns) -> bool:
    return any(pat.cell.match(c) for c in _cells(line))


def list_unit(text: str, start: int, end: int) -> tuple[str, int] | None:
    """(unit, where it ends) for a figure at ``text[start:end]`` that ends a list line's
    cell ("- Palhoça - 1"), or None. The unit is what the caption above counts, in
    lower case; "" where no caption says it (the figure is a count all the same)."""
    pat = _patterns()
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    tab = text.rfind("\t", ls, start)
    cs = ls if tab < 0 else tab + 1
    ce = text.find("\t", end, le)
    hit = pat.cell.match(text[cs : le if ce < 0 else ce])
    if hit is None or cs + hit.start("figure") != start or cs + hit.end("figure") != end:
        return None
    lines = _lines_above(text, ls, pat.window)
    stop = le
    for _ in range(pat.min_run):
        nxt = text.find("\n", stop + 1)
        stop = len(text) if nxt < 0 else nxt
    following = text[le + 1 : stop].split("\n")
    run = 1
    for line in reversed(lines[-pat.min_run :]):
        if not _is_list_line(line, pat):
            break
        run += 1
    for line in following:
        if run >= pat.min_run or not _is_list_line(line, pat):
            break
        run += 1
    if run < pat.min_run:
        return None
    for line in reversed(lines):
        caption = pat.caption.match(line) if not _is_list_line(line, pat) else None
        if caption:
            return caption.group("what").strip().lower(), end
    return "", end


def _panel_line(line: str, pat: _Patterns) -> bool:
    return all(pat.figure.match(c) or pat.label.match(c) or not c.strip() for c in _cells(line))


def panel_unit(text: str, start: int, end: int) -> tuple[str, int] | None:
    """(unit, where it ends) for a figure alone in its cell inside a panel of figures and
    short labels under a "WHAT POR ..." caption ("CASOS CONFIRMADOS POR MACRORREGIÃO /
    83 / Grande Oeste"), or None; the unit is what the caption counts."""
    pat = _patterns()
    ls = text.rfind("\n", 0, start) + 1
    tab = text.rfind("\t", ls, start)
    cs = ls if tab < 0 else tab + 1
    ce = text.find("\t", end)
    le = text.find("\n", end)
    stop = min(x for x in (ce, le, len(text)) if x >= 0)
    if not pat.figure.match(text[cs:stop]):
        return None
    for line in reversed(_lines_above(text, ls, pat.window)):
        caption = pat.caption.match(line)
        if caption and not any(pat.figure.match(c) for c in _cells(line)):
            return caption.group("what").strip().lower(), end
        if not _panel_line(line, pat):
            return None
    return None
