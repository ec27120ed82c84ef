"""Find numbers that name something instead of counting it.

Decree and law numbers, process numbers, phases, lots, list item numbers, CNPJ/CPF,
CEP, phones, URLs, versions and times look like counts or dates to a naive reader.
The pipeline drops every date/period/count/percentage/money candidate that overlaps
one of these spans, so spans are tight: in "Decreto nº 48.937, de 06 de novembro de
2024" only "Decreto nº 48.937" is an identifier and the date after it survives.
The cues and shapes are data in ``rules/identifiers.yaml``; this module wires them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ConfigDict

from extractor import cache, rulebook
from extractor.facts.base import FactContext
from extractor.geometry import merge_spans

if TYPE_CHECKING:  # a finder reads only its doc's text and user_data: no spaCy import
    from spacy.tokens import Doc

_BARE_YEAR = re.compile(r"(?:19|20)\d\d")


class NamedPattern(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    regex: str


class IdentifierRules(rulebook.RulesModel):
    """Schema of ``rules/identifiers.yaml``."""

    model_config = ConfigDict(extra="forbid")
    number_sign: str
    id_number: str
    roman: str
    modifier: str
    max_modifiers: int
    act_cues: list[str]
    acronym_cues: list[str]
    label_cues: list[str]
    item_cues: list[str]
    plural_item_cues: list[str]
    version: str
    patterns: list[NamedPattern]
    list_item: str
    list_item_bare: str
    list_window: int
    bare_run_window: int


@dataclass(frozen=True)
class _Compiled:
    """The rules turned into regexes, built once per rules load."""

    cued: tuple[re.Pattern[str], ...]
    items: re.Pattern[str]
    plural_items: re.Pattern[str]
    shapes: tuple[re.Pattern[str], ...]
    list_item: re.Pattern[str]
    list_item_bare: re.Pattern[str]
    list_window: int
    bare_run_window: int


def _alternation(words: list[str]) -> str:
    """Longest first, so "Lei Complementar" wins over "Lei"."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def _cued_pattern(cues: str, r: IdentifierRules, *, colon: bool) -> re.Pattern[str]:
    """A cue, up to ``max_modifiers`` capitalised words, an optional sign, the number."""
    mods = rf"(?:\s+{r.modifier}){{0,{r.max_modifiers}}}"
    gap = r"\s*:?\s*" if colon else r"\s+"
    return re.compile(
        rf"(?<![\wÀ-ÿ]){cues}{mods}(?:\s*(?P<sign>{r.number_sign})\s*|{gap})(?P<num>{r.id_number})"
    )


def compile_rules(r: IdentifierRules) -> _Compiled:
    """Build every regex from the validated rules."""
    acts = rf"(?i:{_alternation(r.act_cues)})(?![\wÀ-ÿ])"
    acronyms = rf"(?:{_alternation(r.acronym_cues)})(?![\wÀ-ÿ])"
    labels = rf"(?i:{_alternation(r.label_cues)})(?![\wÀ-ÿ])"
    item_num = rf"(?:\d+(?:\.\d+)*|{r.roman})"
    items = re.compile(
        rf"(?<![\wÀ-ÿ])(?i:{_alternation(r.item_cues)})(?:\s*(?P<sign>{r.number_sign})\s*|\s+)"
        rf"(?P<num>{item_num})(?![\wÀ-ÿ%°ª])"
    )
    plural = re.compile(
        rf"(?<![\wÀ-ÿ])(?i:{_alternation(r.plural_item_cues)})\s+(?P<num>{item_num}"
        rf"(?:\s*(?:,|\be\b|\ba\b|\bou\b|&|-|–)\s*{item_num})+)(?![\wÀ-ÿ%])"
    )
    shapes = [re.compile(p.regex) for p in r.patterns] + [re.compile(r.version)]
    return _Compiled(
        cued=(
            _cued_pattern(acts, r, colon=False),
            _cued_pattern(acronyms, r, colon=False),
            _cued_pattern(labels, r, colon=True),
        ),
        items=items,
        plural_items=plural,
        shapes=tuple(shapes),
        list_item=re.compile(r.list_item, re.M),
        list_item_bare=re.compile(r.list_item_bare, re.M),
        list_window=r.list_window,
        bare_run_window=r.bare_run_window,
    )


def load_rules() -> _Compiled:
    """Read and compile ``rules/identifiers.yaml`` (uncached: tests swap the rules dir)."""
    return compile_rules(rulebook.load("identifiers.yaml", IdentifierRules))


# compiled once per rules version: the entry keeps the patterns' programs (extractor/cache.py)
_RULES = cache.cached("identifier-patterns", rulebook.rules_dir(), load_rules)


def _is_bare_year(m: re.Match[str]) -> bool:
    """ "Processo Seletivo 2024": a year with no number sign is the date finder's."""
    if m.groupdict().get("sign"):
        return False
    return bool(_BARE_YEAR.fullmatch(m.group("num").split()[0]))


def _cued_spans(text: str, rules: _Compiled) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in (*rules.cued, rules.items, rules.plural_items):
        for m in pattern.finditer(text):
            if not _is_bare_year(m):
                spans.append((m.start(), m.end("num")))
    return spans


def _list_spans(text: str, rules: _Compiled) -> list[tuple[int, int]]:
    """Dotted list numbers, and undotted ones whose neighbour line is the item before/after."""
    lines = text.split("\n")
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    dotted: dict[int, int] = {}
    spans: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        m = rules.list_item.match(line)
        if m:
            dotted[i] = int(m.group("num")[:-1])
            spans.append((offsets[i] + m.start("num"), offsets[i] + m.end("num")))
    bare = {i: m for i, line in enumerate(lines) if i not in dotted and (m := rules.list_item_bare.match(line))}
    for i, m in bare.items():
        n = int(m.group("num"))
        near = range(max(0, i - rules.list_window), min(len(lines), i + rules.list_window + 1))
        if any(dotted.get(j) in (n - 1, n + 1) for j in near if j != i) or _in_bare_run(i, n, bare, rules):
            spans.append((offsets[i] + m.start("num"), offsets[i] + m.end("num")))
    return spans


def _in_bare_run(i: int, n: int, bare: dict[int, re.Match[str]], rules: _Compiled) -> bool:
    """Whether undotted item ``n`` on line ``i`` is one of three in sequence nearby."""
    w = rules.bare_run_window
    nb = {int(m.group("num")) for j, m in bare.items() if j != i and abs(j - i) <= w}
    return any({n + a, n + b} <= nb for a, b in ((-1, 1), (1, 2), (-2, -1)))


def identifier_spans(text: str, rules: _Compiled | None = None) -> list[tuple[int, int]]:
    """All identifier spans of ``text``, sorted, overlapping ones merged."""
    rules = rules or _RULES
    spans = _cued_spans(text, rules) + _list_spans(text, rules)
    spans += [(m.start(), m.end()) for p in rules.shapes for m in p.finditer(text)]
    return merge_spans(spans)


def find_identifiers(doc: Doc, ctx: FactContext) -> list[tuple[int, int]]:
    """Character spans of identifiers in ``ctx.text`` (``doc`` is unused: regex data)."""
    return identifier_spans(ctx.text)
