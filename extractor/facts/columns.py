"""What kind of figure each table column holds, read from its header, its table and
its report (EXTRACTION-GUIDE.md, "Tables").

A numeric cell is a count unless its column says otherwise: under a percentage header
("%", "Percentual", "Taxa (%)") it is a percentage; under an R$ header ("Valor (R$)"),
in a table whose caption says its values are in R$ ("Em R$ 1,00", the table's unit,
never an amount), or in a financial statement whose figures carry cents, it is money.

A table reaches the fact finders as tab-separated rows (``Line.cells`` of layout.py);
its header is every row above the first data row, so a header set over two or three
lines ("Casos" / "confirmados", a word broken as "CONFIRMAD" / "OS") and a group header
over several columns ("CASOS" over "Nº | %") are read as one phrase per column here.
All words are data in ``rules/tables.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import ConfigDict, Field

from extractor import rulebook
from extractor.facts.numbers_rules import alternation
from extractor.text import fold

ColumnKind = Literal["count", "percentage", "money"]

# A header line ends inside a word when its last word ends in a letter no Portuguese
# word ends in ("CONFIRMAD" / "OS"): the two parts are one word.
_BROKEN_END = re.compile(r"[b-df-hj-kpqtv-xç]$", re.IGNORECASE)


class TableRules(rulebook.RulesModel):
    """Schema of ``rules/tables.yaml``."""

    model_config = ConfigDict(extra="forbid")
    percent_headers: list[str]
    money_signs: list[str]
    money_scale_notes: list[str]
    statement_titles: list[str]
    statement_columns: list[str]
    statement_columns_min: int = Field(ge=1)
    header_notes: list[str]


@dataclass(frozen=True)
class TablePatterns:
    percent: re.Pattern[str]
    money: re.Pattern[str]
    scale_note: re.Pattern[str]
    statement: re.Pattern[str]
    statement_column: re.Pattern[str]
    statement_columns_min: int
    header_note: re.Pattern[str]


def _words(words: list[str]) -> str:
    return rf"(?<![\wÀ-ÿ])(?:{alternation(words)})(?![\wÀ-ÿ])"


@lru_cache(maxsize=1)
def patterns() -> TablePatterns:
    """The rules of ``rules/tables.yaml`` compiled once."""
    r = rulebook.load("tables.yaml", TableRules)
    signs = [s for s in r.money_signs if not s.replace(" ", "").isalpha()]  # "R$"
    words = [s for s in r.money_signs if s.replace(" ", "").isalpha()]  # "reais"
    money = "|".join(filter(None, [alternation(signs), _words(words) if words else ""]))
    percent_signs = [s for s in r.percent_headers if not s.replace(" ", "").isalpha()]
    percent_words = [s for s in r.percent_headers if s.replace(" ", "").isalpha()]
    percent = "|".join(filter(None, [alternation(percent_signs), _words(percent_words)]))
    return TablePatterns(
        percent=re.compile(percent, re.IGNORECASE),
        money=re.compile(money, re.IGNORECASE),
        scale_note=re.compile(rf"(?:{alternation(signs)})\s*(?:{alternation(r.money_scale_notes)})"
                              r"(?![\d,.]*\d)(?![\wÀ-ÿ])", re.IGNORECASE),
        statement=re.compile(_words([fold(w) for w in r.statement_titles]), re.IGNORECASE),
        statement_column=re.compile(_words([fold(w) for w in r.statement_columns]), re.IGNORECASE),
        statement_columns_min=r.statement_columns_min,
        header_note=re.compile("|".join(f"(?:{n})" for n in r.header_notes), re.IGNORECASE),
    )


def without_notes(header: str) -> str:
    """A column header without what annotates it rather than names it: the sample size
    ("Casos* N=1.678" -> "Casos*") and footnote marks (rules/tables.yaml header_notes)."""
    return " ".join(patterns().header_note.sub(" ", header).split())


def is_scale_note(text: str, money_start: int) -> bool:
    """ "Em R$ 1,00", "(R$ mil)": the sign at ``money_start`` names a table's unit."""
    return patterns().scale_note.match(text, money_start) is not None


def is_financial_statement(title_text: str, first_page: str = "") -> bool:
    """Whether a report's title or running header names a financial statement
    (balancete, demonstrativo, RREO, RGF, prestação de contas …), or its first page's
    tables are headed by the stages of a budget ("Previsão Atualizada", "Receita
    Realizada", "Despesas Empenhadas" …: ``statement_columns_min`` different ones), as a
    statement whose title is drawn apart (a letterhead image, a scan) still is."""
    p = patterns()
    if p.statement.search(fold(title_text)):
        return True
    header_rows = fold("\n".join(ln for ln in first_page.split("\n") if "\t" in ln))  # table rows only
    stages = {m.group().lower() for m in p.statement_column.finditer(header_rows)}
    return len(stages) >= p.statement_columns_min


def join_header(parts: list[str]) -> str:
    """One column's header rows, top to bottom, as one phrase; a word broken across two
    rows ("CONFIRMAD" / "OS") is joined back."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and _BROKEN_END.search(out) and part[:1].isalpha() and part[:1].isupper() == out[-1:].isupper():
            out += part
        else:
            out = f"{out} {part}" if out else part
    return out


def header_columns(rows: list[list[str]]) -> list[str]:
    """Each column's header phrase from a table's header rows (top to bottom).

    A cell of an upper row spans the empty cells right of it while the row below has
    cells there: a group header ("CASOS" over "Nº | %") heads each column of its group.
    """
    width = max((len(r) for r in rows), default=0)
    grid = [r + [""] * (width - len(r)) for r in rows]
    for k in range(len(grid) - 1):
        upper, lower = grid[k], grid[k + 1]
        for i in range(1, width):
            if not upper[i].strip() and upper[i - 1].strip() and lower[i].strip() and lower[i - 1].strip():
                upper[i] = upper[i - 1]
    return [join_header([r[i] for r in grid]) for i in range(width)]


def column_kind(header: str, table_in_reais: bool) -> ColumnKind:
    """The kind of the figures under ``header`` (a column's whole header phrase)."""
    p = patterns()
    if p.percent.search(header):
        return "percentage"
    if table_in_reais or p.money.search(header):
        return "money"
    return "count"


def says_reais(line: str) -> bool:
    """Whether a caption or header line says the table's values are in R$."""
    return patterns().money.search(line) is not None
