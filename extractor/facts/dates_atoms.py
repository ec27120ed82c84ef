"""Atomic date shapes: one date, one month pair, one part of a year, one bare year.

Each regex hit from :func:`extractor.facts.dates_rules.patterns` becomes an
:class:`Item` with the parts the text states (year, month, day) and ``None``
for the parts it leaves out; :mod:`extractor.facts.dates` then joins items into
periods, decides which bare years are years, and fills missing years.
Overlapping hits are resolved here, longest first, so "06 de novembro de 2024"
beats "novembro de 2024" and "OUT/2025" beats "2025".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from typing import Literal

from extractor.facts.dates_rules import DatePatterns

ItemKind = Literal["date", "period", "year", "void"]


@dataclass
class Point:
    """A point at the precision written; ``y`` is None until the year rule fills it."""

    y: int | None
    m: int | None = None
    d: int | None = None
    explicit: bool = True  # the year is written in the text

    def iso(self) -> str:
        """ISO 8601 at the precision written; a month whose year nothing in the text
        gives is written without one ("--01", "--08-22")."""
        if self.y is None and self.m is not None:
            return f"--{self.m:02d}" if self.d is None else f"--{self.m:02d}-{self.d:02d}"
        if self.m is None:
            return f"{self.y:04d}"
        if self.d is None:
            return f"{self.y:04d}-{self.m:02d}"
        return f"{self.y:04d}-{self.m:02d}-{self.d:02d}"

    def key(self) -> tuple[int, int, int]:
        return (self.y or 0, self.m or 0, self.d or 0)


@dataclass
class Item:
    """A found date/period/bare year at ``text[start:end]``.

    ``kind == "year"`` is a four-digit number that is a year only if its context
    says so (decided later). ``kind == "void"`` is a date that does not exist
    ("31/04/2021"): it is no fact, and neither is a period it bounds, so it is kept
    as an item to take the other end down with it. ``b`` is the end of a period.
    """

    kind: ItemKind
    start: int
    end: int
    a: Point
    b: Point | None = None
    shape: str = ""
    confidence: float = 0.95
    year_source: str = "explicit"
    extra: dict[str, object] = field(default_factory=dict)

    def points(self) -> list[Point]:
        return [self.a] if self.b is None else [self.a, self.b]

    def needs_year(self) -> bool:
        return any(p.y is None for p in self.points())

    def last_explicit_year(self) -> int | None:
        years = [p.y for p in self.points() if p.explicit and p.y is not None]
        return years[-1] if years else None


def _year(raw: str | None, pat: DatePatterns) -> int | None:
    """Four digits in range, or two digits read as 20xx."""
    if not raw:
        return None
    y = int(raw) + (2000 if len(raw) == 2 else 0)
    return y if pat.year_min <= y <= pat.year_max else None


def _valid_day(y: int | None, m: int, d: int) -> bool:
    last = calendar.monthrange(y or 2000, m)[1]  # 2000: leap, so 29/02 passes
    return 1 <= d <= last


def _numeric_is_identifier(text: str, start: int, pat: DatePatterns, acronyms: bool) -> bool:
    """ "Decreto nº 12/2024", "STN 10/2021": a numeric shape read as part of an identifier."""
    window = text[max(0, start - 40) : start]
    if pat.identifier_before.search(window):
        return True
    if not acronyms:
        return False
    hit = pat.acronym_before.search(window)
    if not hit:
        return False
    word = hit.group(0).strip().lower()
    return not (pat.year_cue_before.search(word + " ") or pat.point_cue_before.search(word + " "))


def _date_item(shape: str, g: dict[str, str | None], text: str, s: int, e: int, pat: DatePatterns) -> Item | None:
    """Items for the shapes that state a single date (maybe without its year)."""
    m_raw = g.get("m") or ""
    month = int(m_raw) if m_raw.isdigit() else pat.month_of.get(m_raw.lower().rstrip("."))
    if month is None or not 1 <= month <= 12:
        return None
    y_raw = g.get("y")
    if shape == "dmy_num" and g.get("s") != "/" and len(y_raw or "") == 2:
        return None
    year = _year(y_raw, pat)
    if y_raw and year is None:
        return None
    day = int(g["d"]) if g.get("d") else None
    if not _context_ok(shape, m_raw, text, s, e, pat):
        return None
    if day is not None and not _valid_day(year, month, day):
        # "31/04/2021" names no day; with its year written it is still a date's shape
        return Item("void", s, e, Point(year, month)) if year is not None and day <= 31 else None
    conf = 0.95 if shape in ("dmy_text", "dmy_bare", "dmy_num", "dmy_abbr", "my_text") else 0.9
    return Item("date", s, e, Point(year, month, day, explicit=year is not None), shape=shape, confidence=conf)


def _context_ok(shape: str, m_raw: str, text: str, s: int, e: int, pat: DatePatterns) -> bool:
    """Shape-specific checks of the words around a single-date hit."""
    if shape in ("dmy_num", "my_num", "dm_num") and _numeric_is_identifier(text, s, pat, shape != "dmy_num"):
        return False
    before = text[max(0, s - 40) : s]
    if shape == "dm_num":  # "até 22/08", "de 22/08 a 30/09/2025"
        return bool(
            pat.point_cue_before.search(before)
            or pat.weekday_before.search(before)
            or pat.dm_range_before.search(before)
            or (pat.dm_opener_before.search(before) and pat.dm_range_after.match(text, e))
        )
    if shape == "abbr_label":  # "JAN: início", not "mar: calmo"
        return m_raw[:1].isupper()
    if shape == "month":  # "Avenida Sete de Setembro" names a street, not a month
        return not (m_raw[:1].isupper() and not m_raw.isupper() and pat.proper_name_before.search(before))
    return True


def _pair_item(g: dict[str, str | None], s: int, e: int, pat: DatePatterns) -> Item | None:
    """ "JUN/JUL", "SET/OUT", "MAIO/JUN", "jan/mar 2025": a span of two months."""
    m1 = pat.month_of.get((g["m1"] or "").lower())
    m2 = pat.month_of.get((g["m2"] or "").lower())
    if m1 is None or m2 is None or m1 == m2:
        return None
    year = _year(g.get("y") or g.get("yd"), pat)
    a, b = Point(None, m1, explicit=False), Point(None, m2, explicit=False)
    if year is not None:
        a.y, b.y = (year - 1 if m1 > m2 else year), year
        a.explicit = b.explicit = True
    return Item("period", s, e, a, b, shape="pair", confidence=0.9)


def _part_item(g: dict[str, str | None], s: int, e: int, pat: DatePatterns) -> Item | None:
    """ "1º bimestre de 2025", "segundo semestre": months n*len-len+1 .. n*len."""
    n = pat.ordinal_of.get((g.get("ow") or "").lower()) if g.get("ow") else int(g["od"] or 0)
    length = pat.part_len.get((g["u"] or "").lower())
    if not n or not length or n > 12 // length:
        return None
    year = _year(g.get("y") or g.get("y2"), pat)
    a = Point(year, n * length - length + 1, explicit=year is not None)
    b = Point(year, n * length, explicit=year is not None)
    current = {"current_year": True} if g.get("cur") else {}
    return Item("period", s, e, a, b, shape="part", confidence=0.93, extra=current)


def _part_num_item(g: dict[str, str | None], text: str, s: int, e: int, pat: DatePatterns) -> Item | None:
    """ "2021/1", "2024.1": part N of the year by ``numeric_year_part`` (halves by default)."""
    year, n, length = _year(g["y"], pat), int(g["od"] or 0), pat.numeric_part_len
    if year is None or not 1 <= n <= 12 // length or _numeric_is_identifier(text, s, pat, False):
        return None
    a, b = Point(year, n * length - length + 1), Point(year, n * length)
    return Item("period", s, e, a, b, shape="part_num", confidence=0.85)


def _short_span_item(g: dict[str, str | None], text: str, s: int, e: int, pat: DatePatterns) -> Item | None:
    """ "2020/21": from the first year to the one whose last two digits follow."""
    y1 = _year(g["y1"], pat)
    if y1 is None or _numeric_is_identifier(text, s, pat, False):
        return None
    y2 = y1 - y1 % 100 + int(g["y2s"] or 0)
    y2 += 100 if y2 <= y1 else 0
    if not 1 <= y2 - y1 <= pat.short_span_max:
        return None
    return Item("period", s, e, Point(y1), Point(y2), shape="year_short", confidence=0.85)


def _year_item(shape: str, g: dict[str, str | None], s: int, e: int, pat: DatePatterns) -> Item | None:
    """A bare year (kind "year", judged later) or a "2024 - 2026" span."""
    if shape == "year":
        y = _year(g["y"], pat)
        return Item("year", s, e, Point(y), shape=shape, confidence=0.9) if y else None
    y1, y2 = _year(g["y1"], pat), _year(g["y2"], pat)
    if y1 is None or y2 is None or y1 >= y2:
        return None
    return Item("period", s, e, Point(y1), Point(y2), shape=shape, confidence=0.93)


def _make(shape: str, hit: re.Match[str], text: str, pat: DatePatterns) -> Item | None:
    g = hit.groupdict()
    s, e = hit.span("m") if shape == "abbr_label" else hit.span()
    if shape == "pair":
        return _pair_item(g, s, e, pat)
    if shape in ("part", "part_elided"):
        return _part_item(g, s, e, pat)
    if shape == "part_num":
        return _part_num_item(g, text, s, e, pat)
    if shape == "year_short":
        return _short_span_item(g, text, s, e, pat)
    if shape in ("year", "year_range"):
        return _year_item(shape, g, s, e, pat)
    return _date_item(shape, g, text, s, e, pat)


def find_atoms(text: str, pat: DatePatterns) -> list[Item]:
    """All atomic hits, overlaps resolved (longest span first, then shape priority)."""
    found: list[tuple[int, int, Item]] = []
    for rank, (shape, rx) in enumerate(pat.atoms):
        for hit in rx.finditer(text):
            item = _make(shape, hit, text, pat)
            if item is not None:
                found.append((-(item.end - item.start), rank, item))
    found.sort(key=lambda t: (t[0], t[1], t[2].start))
    kept: list[Item] = []
    taken = bytearray(len(text))
    for _, _, item in found:
        if not any(taken[item.start : item.end]):
            kept.append(item)
            taken[item.start : item.end] = b"\x01" * (item.end - item.start)
    return sorted(kept, key=lambda it: it.start)
