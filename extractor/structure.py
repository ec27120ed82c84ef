"""Lines -> report title and status phrase, thematic areas, and initiatives.

An initiative starts at a title line: a line set apart by font size and weight
(not by capitals, since other editions use Title Case). Wrapped title lines are
joined; pages whose title repeats the previous initiative's are its
continuation. Pages that hold only heading-style lines (cover, index, closing)
and report-level sections ("Apresentação", "Contatos") are kept out of
initiatives: their lines become the report's own text.

Areas: in a *paged* document (a slide deck: one initiative per page) an
initiative takes the area heading shown on its page, or none — never a guess.
In a *flowing* document (an A4 report, several initiatives per page) an area
heading opens a section that lasts until the next heading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import ConfigDict

from extractor import rulebook
from extractor.layout import Line, PageLayout
from extractor.model import Area
from extractor.text import fold


class TitleStyle(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    min_size_ratio: float
    bold_or_size_ratio: float
    max_line_gap_ratio: float
    max_area_gap_ratio: float
    max_title_lines: int


class HeadingRules(rulebook.RulesModel):
    model_config = ConfigDict(extra="forbid")
    area_patterns: list[str]
    status_patterns: list[str]
    report_sections: list[str]
    index_sections: list[str]
    closing_patterns: list[str]
    not_title_patterns: list[str]
    title_style: TitleStyle


@dataclass(frozen=True)
class CompiledHeadings:
    areas: tuple[re.Pattern[str], ...]
    status: tuple[re.Pattern[str], ...]
    sections: frozenset[str]
    index: frozenset[str]
    closing: tuple[re.Pattern[str], ...]
    not_titles: tuple[re.Pattern[str], ...]
    style: TitleStyle


@lru_cache(maxsize=1)
def heading_rules() -> CompiledHeadings:
    r = rulebook.load("headings.yaml", HeadingRules)
    return CompiledHeadings(
        areas=tuple(re.compile(p, re.IGNORECASE) for p in r.area_patterns),
        status=tuple(re.compile(p, re.IGNORECASE) for p in r.status_patterns),
        sections=frozenset(fold(s) for s in r.report_sections),
        index=frozenset(fold(s) for s in r.index_sections),
        closing=tuple(re.compile(p) for p in r.closing_patterns),
        not_titles=tuple(re.compile(p) for p in r.not_title_patterns),
        style=r.title_style,
    )


@dataclass
class InitiativeDraft:
    """An initiative as laid out: its title lines, body lines and pages."""

    title: str
    title_lines: list[Line]
    area: Area | None
    pages: list[int]
    body: list[Line] = field(default_factory=list)


@dataclass
class DocumentStructure:
    title: str | None
    status_phrase: str | None
    initiatives: list[InitiativeDraft]
    report_lines: list[Line]


def match_area(text: str) -> Area | None:
    """``Area`` for a thematic-area heading line, else ``None``."""
    for pat in heading_rules().areas:
        m = pat.match(text)
        if m:
            name = " ".join(m.group("name").split()).strip(" -–—:")
            return Area(number=int(m.group("number")), name=name)
    return None


def body_size(pages: list[PageLayout]) -> float:
    """The font size most regular (non-bold) characters of the document are set in.

    Bold lines are left out when there are regular ones, so that a short report
    with long titles still finds its body size.
    """
    regular: Counter[float] = Counter()
    every: Counter[float] = Counter()
    for p in pages:
        for ln in p.lines:
            every[ln.size] += len(ln.text)
            if not ln.bold:
                regular[ln.size] += len(ln.text)
    weights = regular or every
    return weights.most_common(1)[0][0] if weights else 10.0


def is_title_style(line: Line, body: float) -> bool:
    """Set apart from body text by size and weight."""
    style = heading_rules().style
    ratio = line.size / body if body else 1.0
    return ratio >= style.min_size_ratio and (line.bold or ratio >= style.bold_or_size_ratio)


def is_title_line(line: Line, body: float) -> bool:
    """A line that can start a title: title style, real words, not a label ending in ':'
    nor a line ``not_title_patterns`` calls data (a panel's "label figure")."""
    if len(line.cells) >= 2:  # a table row (a header row in bold too) is never a title
        return False
    text = line.text.strip()
    return (is_title_style(line, body) and sum(c.isalpha() for c in text) >= 3
            and not text.endswith(":") and not any(p.match(text) for p in heading_rules().not_titles))


def _continues_title(prev: list[Line], ln: Line) -> bool:
    style = heading_rules().style
    last = prev[-1]
    return (len(prev) < style.max_title_lines and abs(last.size - ln.size) < 0.6
            and last.bold == ln.bold and last.page == ln.page
            and ln.top - last.bottom <= style.max_line_gap_ratio * ln.size)


def _continues_area(prev: list[Line], ln: Line) -> bool:
    """A wrapped area heading ("Área Temática 10 –" / "Competências e" / "Capacitação" in
    a narrow band or column): same style, right below and overlapping it across, set
    tight as one paragraph's lines. Tighter than a title's wrap, so a title of the same
    style spaced below the heading still starts a title."""
    style = heading_rules().style
    last = prev[-1]
    x0, _, x1, _ = last.bbox
    lx0, _, lx1, _ = ln.bbox
    return (len(prev) < style.max_title_lines and last.page == ln.page
            and abs(last.size - ln.size) < 0.6 and last.bold == ln.bold
            and lx0 < x1 and x0 < lx1
            and 0 <= ln.top - last.bottom <= style.max_area_gap_ratio * ln.size)


def _group_titles(lines: list[Line], body: float) -> list[tuple[str, list[Line]]]:
    """Label each line ``area``/``title``/``body``; join wrapped title and area lines."""
    out: list[tuple[str, list[Line]]] = []
    for ln in lines:
        prev = out[-1] if out else None
        if match_area(ln.text):
            out.append(("area", [ln]))
        elif prev and prev[0] == "area" and _continues_area(prev[1], ln):
            prev[1].append(ln)
        elif prev and prev[0] == "title" and is_title_style(ln, body) and _continues_title(
                prev[1], ln):
            prev[1].append(ln)
        elif is_title_line(ln, body):
            out.append(("title", [ln]))
        else:
            out.append(("body", [ln]))
    return out


def _title_text(lines: list[Line]) -> str:
    return " ".join(" ".join(ln.text.split()) for ln in lines)


_YEAR = re.compile(r"\b(19|20)\d\d\b")


def find_status_phrase(pages: list[PageLayout]) -> tuple[str | None, int | None]:
    """The text after a status cue on the first pages, and the page if it is in the body.

    A status phrase wrapped before its year ("STATUS: OUTUBRO" / "2025") takes the
    next line too. Running headers count ("Status outubro 2025") but do not make
    their page a cover, so the page number returned is then ``None``.
    """
    rules = heading_rules()
    for p in pages[:3]:
        for where, lines in ((p.number, p.lines), (None, p.furniture)):
            for i, ln in enumerate(lines):
                for pat in rules.status:
                    m = pat.search(ln.text)
                    if not m:
                        continue
                    rest = m.group("rest").strip()
                    if not _YEAR.search(rest) and i + 1 < len(lines):
                        rest = f"{rest} {lines[i + 1].text.strip()}"
                    return rest, where
    return None, None


def report_title(pages: list[PageLayout], status_page: int | None) -> str | None:
    """The cover's main heading: its status line without the status part, else its largest line."""
    first = next((p for p in pages if p.lines), None)
    if first is None:
        return None
    rules = heading_rules()
    for i, ln in enumerate(first.lines):
        for pat in rules.status:
            m = pat.search(ln.text)
            if m and m.start() > 0:
                head = ln.text[: m.start()].strip(" -–—:")
                prev = first.lines[i - 1] if i else None
                if prev is not None and _continues_title([prev], ln):
                    head = f"{' '.join(prev.text.split())} {head}"
                return head
    lines = first.lines
    i = max(range(len(lines)), key=lambda k: (lines[k].size, -lines[k].top))
    block = [lines[i]]
    for ln in lines[i + 1:]:
        if not _continues_title(block, ln):
            break
        block.append(ln)
    return _title_text(block)


def _is_paged(labelled: dict[int, list[tuple[str, list[Line]]]]) -> bool:
    """A slide deck: nearly every page that starts initiatives starts exactly one."""
    per_page = [sum(k == "title" for k, _ in groups) for groups in labelled.values()]
    with_titles = [n for n in per_page if n]
    return bool(with_titles) and sum(n == 1 for n in with_titles) >= 0.8 * len(with_titles)


def _is_index(groups: list[tuple[str, list[Line]]]) -> bool:
    """An index page: titled like a table of contents, or listing several area headings."""
    index = heading_rules().index
    titled = any(k == "title" and fold(_title_text(lines)) in index for k, lines in groups)
    return titled or sum(k == "area" for k, _ in groups) >= 2


@dataclass
class _Walker:
    """Walks labelled lines in reading order, opening and extending initiatives."""

    paged: bool
    initiatives: list[InitiativeDraft] = field(default_factory=list)
    report_lines: list[Line] = field(default_factory=list)
    current: InitiativeDraft | None = None
    section_area: Area | None = None
    skipping: bool = False  # inside an index section: its lines are not read for facts

    def page(self, number: int, groups: list[tuple[str, list[Line]]], structural: bool) -> None:
        areas = [match_area(_title_text(lines)) for kind, lines in groups if kind == "area"]
        if structural and _is_index(groups):
            self.current = None
            return
        if structural:
            self.report_lines.extend(ln for _, lines in groups for ln in lines)
            self.current = None
            if len(areas) == 1:
                self.section_area = areas[0]
            return
        page_area = areas[0] if areas else None
        self.skipping = False
        for kind, lines in groups:
            if kind == "area":
                self.section_area = match_area(_title_text(lines))
            elif kind == "title":
                self.title(number, lines, page_area if self.paged else self.section_area)
            elif self.skipping:
                continue
            elif self.current is not None:
                self.current.body.extend(lines)
                if number not in self.current.pages:
                    self.current.pages.append(number)
            else:
                self.report_lines.extend(lines)

    def title(self, number: int, lines: list[Line], area: Area | None) -> None:
        text = _title_text(lines)
        key = fold(text)
        self.skipping = key in heading_rules().index
        if self.skipping:
            self.current = None
            return
        if key in heading_rules().sections:
            self.current = None
            self.report_lines.extend(lines)
            return
        same = next((it for it in self.initiatives if fold(it.title) == key), None)
        if same is not None:
            self.current = same
            if number not in same.pages:
                same.pages.append(number)
            if same.area is None and area is not None and self.paged:
                same.area = area
            return
        self.current = InitiativeDraft(title=text, title_lines=list(lines), area=area,
                                       pages=[number])
        self.initiatives.append(self.current)


def _has_body_text(groups: list[tuple[str, list[Line]]], body: float) -> bool:
    """Whether a page holds text set as body; a page of heading-style lines only (a cover,
    index or colophon) does not, even where a wrapped line like "2024" cannot be a title."""
    return any(k == "body" and not all(is_title_style(ln, body) for ln in lines)
               for k, lines in groups)


def split_closing(pages: list[PageLayout]) -> list[Line]:
    """Take the closing colophon off the last page with text (in place) and return it."""
    last = next((p for p in reversed(pages) if p.lines), None)
    if last is None:
        return []
    pats = heading_rules().closing
    for i, ln in enumerate(last.lines):
        if i and any(p.match(ln.text.strip()) for p in pats):
            closing, last.lines = last.lines[i:], last.lines[:i]
            return closing
    return []


def segment(pages: list[PageLayout]) -> DocumentStructure:
    """Split laid-out pages into the report's own lines and its initiatives."""
    closing = split_closing(pages)
    body = body_size(pages)
    status_phrase, status_page = find_status_phrase(pages)
    first_text = next((p.number for p in pages if p.lines), None)
    labelled = {p.number: _group_titles(p.lines, body) for p in pages}
    walker = _Walker(paged=_is_paged(labelled))
    for p in pages:
        groups = labelled[p.number]
        cover = p.number == first_text and p.number == status_page and any(
            k == "title" for k, _ in groups)
        structural = cover or not _has_body_text(groups, body)
        walker.page(p.number, groups, structural)
    for it in walker.initiatives:
        it.pages.sort()
    return DocumentStructure(title=report_title(pages, status_page), status_phrase=status_phrase,
                             initiatives=walker.initiatives,
                             report_lines=walker.report_lines + closing)
