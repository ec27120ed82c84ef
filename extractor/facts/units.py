"""Read what a count counts: the noun after it, or the label that introduces it.

"255.766 Acionamentos" -> acionamentos; "1,5 milhão de estudantes" -> estudantes;
"150 novas localidades" -> localidades; "de 3 para 6 meses" -> meses for both.
A number standing alone takes its unit from context, less surely: the list intro
("o número de atendimentos em 2025:" above "1° bimestre: 17.282"), the measure it
completes ("o nível de maturidade ... de 0,75"), its table column header, or the
label of its line ("Ponto Digital: aprox. 6.000").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from extractor.facts.columns import ColumnKind, column_kind, header_columns, says_reais, without_notes
from extractor.facts.numbers_rules import RULES, WORD, NumberPatterns
from extractor.text import fold

# Words of a unit are separated by spaces, or by a line break when the next line
# goes on in lower case (a wrapped sentence: "de 3 para 6\nmeses").
_GAP = r"(?:[ ]+|[ ]*\n[ ]*(?=[a-zà-ÿ]))"
_WORD_RE = re.compile(rf"{_GAP}({WORD}[\wÀ-ÿ'’²-]*)")
_DE_RE = re.compile(rf"{_GAP}(?i:de|da|do|das|dos)(?=[ \t\n])")
_RANGE_RE = re.compile(r"[ \t]*(?:para|a|e|ou|-|–|→|>)[ \t]*(?=\w)", re.I)
_BULLET = r"[ \t]*(?:[-•*–·▪►][ \t]*)?"
_LABEL_BEFORE = re.compile(rf"^{_BULLET}(?P<label>[^:=\t\n]{{1,60}}?)[ \t]*[:=][ \t]*(?P<cue>[^\d\n]{{0,25}})$")
_CAPS_LABEL_BEFORE = re.compile(rf"^{_BULLET}(?P<label>[A-ZÀ-Ý][A-ZÀ-Ý \-]{{1,40}}?)[ \t]+$")
# The second "Label:" of a line of "label: value" pairs, the first value one token
# ("Período: 2024/1 Fiscalizações : 1.252"); a label in the middle of prose ("…, Fonte:
# 100", "Valor: R$ 22,00 (…). Da Classificação …; Gestão: 00001") is not one.
_LAST_LABEL_BEFORE = re.compile(r"^[ \t]*[A-ZÀ-Ý][^\d:=\t\n]{0,30}:[ \t]*[^\s:]*\d[^\s:]*[ \t]+"
                                r"(?P<label>[A-ZÀ-Ý][^\d:=\t\n]{1,60}?)[ \t]*:[ \t]*(?P<cue>)$")
# The label of the next figure on the same line ("1.252 Valor = 100%"): not this one's unit.
_NEXT_LABEL = re.compile(rf"[ \t]+{WORD}[\wÀ-ÿ]+(?:[ ]+{WORD}[\wÀ-ÿ]*){{0,2}}[ ]*=(?!=)")
_LINE_REST = re.compile(r"^[ \t]*(?:\(?[\d.,]+[ \t]?%\)?)?[ \t]*[.;,]?[ \t]*$")
_YEARISH = re.compile(r"\b(?:19|20)\d\d\b|\d+[º°ª]")
_INTRO_WINDOW = 12


@dataclass(frozen=True)
class Unit:
    """A unit read from the text, where its words end, and how sure we are of it."""

    name: str
    end: int
    confidence: float


def _clean(word: str) -> str:
    """Lower case, without a possessive "'s" ("CIN's" -> "cin")."""
    word = word.lower()
    return re.sub(r"['’]s$", "", word)


def _usable(word: str, rules: NumberPatterns) -> bool:
    w = _clean(word)
    if len(w) < 2 or w in rules.not_units or any(c.isdigit() for c in w):
        return False
    return not any(w.endswith(e) for e in rules.units.verb_endings)


def _complement(text: str, pos: int, head: str, rules: NumberPatterns) -> tuple[str, int]:
    """Add an adjective ("digitais") or a "de X" complement naming the kind counted
    (always for generic heads such as "atos de progressão")."""
    m = _WORD_RE.match(text, pos)
    if m and _usable(m.group(1), rules):
        w = _clean(m.group(1))
        if any(w.endswith(e) for e in rules.units.complement_endings):
            return f"{head} {w}", m.end()
    de = _DE_RE.match(text, pos)
    if de:
        m = _WORD_RE.match(text, de.end())
        if m and _usable(m.group(1), rules) and (head in rules.units.generic_heads
                                                 or _names_a_kind(m.group(1), rules)):
            return f"{head} {de.group().strip().lower()} {_clean(m.group(1))}", m.end()
    return head, pos


def _names_a_kind(word: str, rules: NumberPatterns) -> bool:
    """A "de X" complement that says what kind of thing is counted: a common noun in
    lower case ("solicitações de alteração", "certidões de óbito") or an acronym
    ("certidões do IPSEMG"); not a place or a name ("escolas de Uberlândia")."""
    if word.isupper() and len(word) >= 3:
        return True
    return word.islower() and _clean(word) not in rules.units.place_words


def unit_after(text: str, pos: int, rules: NumberPatterns = RULES, *, after_multiplier: bool = False) -> Unit | None:
    """The unit noun right after a number ending at ``pos`` (same line, spaces only)."""
    if after_multiplier:
        de = _DE_RE.match(text, pos)
        pos = de.end() if de else pos
    if _NEXT_LABEL.match(text, pos):  # "1.252 Valor = 100%": the label of the next figure
        return None
    m = _WORD_RE.match(text, pos)
    while m and _clean(m.group(1)) in rules.skip_before_unit:
        m = _WORD_RE.match(text, m.end())
    if not m:
        return None
    word = _clean(m.group(1))
    pre = None
    if word in rules.units.before_noun:  # "2.401 novos casos" -> "novos casos"
        nxt = _WORD_RE.match(text, m.end())
        if nxt and _usable(nxt.group(1), rules):
            pre, m, word = word, nxt, _clean(nxt.group(1))
    if word in rules.units.attached:
        return Unit(rules.units.attached[word], m.end(), 0.9)
    if not _usable(word, rules):
        return None
    name, end = _complement(text, m.end(), word, rules)
    return Unit(f"{pre} {name}" if pre else name, end, 0.95)


def unit_of_range(text: str, pos: int, rules: NumberPatterns = RULES) -> Unit | None:
    """ "de 3 para 6 meses", "uma ou duas semanas": a number followed by "para/a/e/ou
    N unit" (N in digits or words) takes that unit."""
    m = _RANGE_RE.match(text, pos)
    if not m:
        return None
    n = rules.numeral.match(text, m.end()) or rules.word_number.match(text, m.end())
    if not n:
        return None
    mult = rules.multiplier.match(text, n.end())
    unit = unit_after(text, mult.end() if mult else n.end(), rules, after_multiplier=bool(mult))
    return Unit(unit.name, pos, 0.85) if unit else None


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


_DATA_CELL = re.compile(r"^\s*(?:R\$\s*)?[\d.,]+\s*%?\s*(?:\(\s*[\d.,]+\s*%\s*\))?\s*$")
_YEAR_CELL = re.compile(r"^\s*(?:19|20)\d\d\s*$")
_INDEX_CELL = re.compile(r"^\s*(\d{1,4})\s*$")
# A numeric cell: the number, optionally its share in brackets ("18 (94,7%)").
_VALUE_CELL = re.compile(r"^[ ]*(?P<number>[\d.,]+)[ ]*(?:\([ ]*[\d.,]+[ ]*%[ ]*\))?[ ]*$")


@dataclass(frozen=True)
class TableRow:
    """Where a table row line sits in its table (offsets into the text).

    ``header`` is the start of the table's header row (None for a table whose
    first row already holds numbers), ``block`` the start of its first row,
    ``index_columns`` the columns that number the rows (1, 2, 3 …), never counts.
    ``columns`` is each column's whole header phrase (every row above the first
    data row, :func:`columns.header_columns`) and ``in_reais`` whether the table's
    caption says its values are in R$: together they type each column.
    """

    header: int | None
    block: int
    index_columns: frozenset[int] = frozenset()
    columns: tuple[str, ...] = ()
    in_reais: bool = False
    subheads: tuple[str, ...] = ()  # the header row's own cells (the row above the first data row)

    def repeated_subhead(self, col: int) -> bool:
        """Whether column ``col``'s header cell is printed over other columns too
        ("Confirmados | Suspeitos | Total" under each of "SUS", "REDE PRIVADA"): a
        category of a cross table, not what its figures count."""
        if col >= len(self.subheads) or not self.subheads[col].strip():
            return False
        label = next((i for i in range(col) if i not in self.index_columns), None)
        if label is not None and self._repeated(label):
            return False  # "Município | Casos | Município | Casos": one table printed in two halves
        return self._repeated(col)

    def _repeated(self, col: int) -> bool:
        if col >= len(self.subheads) or not self.subheads[col].strip():
            return False
        key, phrase = fold(self.subheads[col].strip()), fold(self.columns[col]) if col < len(self.columns) else ""
        # a group header inside the table ("CASOS" over "Nº | %") tells the columns apart
        return sum(fold(h.strip()) == key and (i >= len(self.columns) or fold(self.columns[i]) == phrase)
                   for i, h in enumerate(self.subheads)) >= 2

    def kind(self, col: int) -> ColumnKind:
        """What the figures of column ``col`` are: counts, percentages or money."""
        return column_kind(self.columns[col] if col < len(self.columns) else "", self.in_reais)

    def above_body(self, line_start: int) -> bool:
        """Whether the line at ``line_start`` is the header row or a title row above it."""
        return self.header is not None and line_start <= self.header


TableHeaders = Mapping[int, TableRow]  # read-only: one text's rows are shared by its finders


def _is_data_row(line: str, *, after_header: bool = False) -> bool:
    """A row with a numeric cell that is not a year: data, not a header. Below a header,
    a labelled row with one four-digit figure is data too ("SANTA LUZIA | 1987"); a row
    of several years ("Município | 2019 | 2020") heads its columns."""
    cells = line.split("\t")
    numeric = [c for c in cells[1:] if _DATA_CELL.match(c)]
    if any(not _YEAR_CELL.match(c) for c in numeric):
        return True
    return after_header and len(numeric) == 1 and bool(cells[0].strip()) and not _DATA_CELL.match(cells[0])


_DIGIT_RE = re.compile(r"\d")


def _starts_table(line: str, block: list[tuple[int, str]]) -> bool:
    """Whether a row without figures after data rows heads a new table (the header
    repeated after a page break, the next table) rather than going on with this one.

    A row with one label cell only is a wrapped row label ("TáxiGov" / "DF"); a row
    filling fewer cells than the table's header is a section row inside the table
    ("GRANDE OESTE" over its municipalities, one per column group). A row filling more
    than half of them is a header (a statement's "INDICADORES | VALOR EXIGIDO | …
    | % APLICADO" under its table of amounts, a ruled table's header without a
    label for its row-label columns).
    """
    filled = _cells_filled(line)
    head = 0
    for _, row in block:
        if _is_data_row(row):
            break
        head = max(head, _cells_filled(row))
    return filled >= 2 and filled * 2 > head


def _cells_filled(line: str) -> int:
    return sum(bool(c.strip()) for c in line.split("\t"))


def _index_columns(rows: list[str], header: str | None) -> frozenset[int]:
    """Columns of small whole numbers that go up by one row after row: row numbers.

    A misprint here and there ("89, 80, 91") does not break the run; a header
    naming the column (other than "nº"-like) means the numbers are data.
    """
    heads = header.split("\t") if header else []
    rows = [r for r in rows if _DIGIT_RE.search(r)]  # wrapped labels' continuation rows aside
    cols: dict[int, list[int]] = {}
    for row in rows:
        for i, cell in enumerate(row.split("\t")):
            m = _INDEX_CELL.match(cell)
            if m:
                cols.setdefault(i, []).append(int(m.group(1)))
    out = set()
    for i, values in cols.items():
        if len(values) < 3 or len(values) < 0.8 * len(rows):
            continue
        if i < len(heads) and heads[i].strip() and not _INDEX_HEADER.match(heads[i]):
            continue
        in_place = sum(v == values[0] + k for k, v in enumerate(values))
        steps = sum(b - a == 1 for a, b in zip(values, values[1:]))
        if in_place >= 0.7 * len(values) or steps >= 0.7 * (len(values) - 1):
            out.add(i)
    return frozenset(out)


_INDEX_HEADER = re.compile(r"^\s*(?:n[º°o.]?|#|item|ordem|seq\.?)\s*$", re.IGNORECASE)


@lru_cache(maxsize=8)
def table_headers(text: str) -> TableHeaders:
    """Start of each table row line -> its :class:`TableRow`.

    A block of tab-separated lines whose first row already holds numbers has no
    header row; its numbers take their unit from the row label or the text above.
    Cached for the last few texts: the number and date finders both ask for the
    rows of the text they read.
    """
    headers: dict[int, TableRow] = {}
    pos = 0
    block: list[tuple[int, str]] = []

    def close() -> None:
        if not block:
            return
        start = block[0][0]
        first_data = next((i for i, (_, line) in enumerate(block) if _is_data_row(line, after_header=i > 0)),
                          len(block))
        # The header is the row right above the first data row: rows above it are the
        # table's own title or a wrapped header's first line.
        head_at = block[first_data - 1] if 0 < first_data < len(block) else None
        head = head_at[0] if head_at else None
        body = [line for _, line in block[first_data:]]
        width = len(block[first_data][1].split("\t")) if first_data < len(block) else 0
        # a header row with fewer cells than the rows under it lacks the row-label columns'
        # (nothing printed over the labels): its cells are the right-hand columns'
        heads = [_pad_left(line.split("\t"), width) for _, line in block[:first_data]] if head_at else []
        row = TableRow(head, start, _index_columns(body, head_at[1] if head_at else None),
                       tuple(header_columns(heads)), _caption_in_reais(text, start),
                       tuple(_pad_left(head_at[1].split("\t"), width)) if head_at else ())
        for at, _ in block:
            headers[at] = row
        block.clear()

    for line in text.split("\n"):
        if "\t" not in line:
            close()
        else:
            if block and _is_data_row(block[-1][1]) and not _is_data_row(line) and _starts_table(line, block):
                close()  # a header again after data rows: the next table (or page) starts
            block.append((pos, line))
        pos += len(line) + 1
    close()
    return headers


def _pad_left(cells: list[str], width: int) -> list[str]:
    return [""] * (width - len(cells)) + cells if len(cells) < width else cells


_CAPTION_LINES = 2


def _caption_in_reais(text: str, block_start: int) -> bool:
    """Whether one of the lines just above a table (its caption, a note "Em R$ 1,00")
    says the table's values are in R$."""
    pos = block_start
    for _ in range(_CAPTION_LINES):
        if pos <= 0:
            return False
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev : pos - 1]
        pos = prev
        if "\t" in line:
            return False
        if says_reais(line):
            return True
    return False


def in_label_cell(text: str, start: int, headers: TableHeaders) -> bool:
    """Whether ``start`` is in a table's header row, a row-number cell, or a row's label
    cell ("0 a 9 anos" in "0 a 9 anos | 108"): such numbers name rows and columns."""
    ls, le = _line_bounds(text, start, start)
    row = headers.get(ls)
    if row is None:
        return False
    line = text[ls:le]
    col = line[: start - ls].count("\t")
    cells = line.split("\t")
    words = len(re.findall(rf"{WORD}+", cells[col]))
    numbers = len(re.findall(r"\d+(?:[.,]\d+)*", cells[col]))
    if row.above_body(ls):  # a header cell names a column ("Nota 4"); a run of figures
        return words >= numbers  # above the first data row is data all the same
    if col in row.index_columns:
        return True
    return (words >= numbers
            and any(_DATA_CELL.match(c) and c.strip() for i, c in enumerate(cells) if i != col))


def value_cell(text: str, start: int, end: int,
               headers: TableHeaders) -> tuple[TableRow, list[str], int] | None:
    """(row, its cells, column) when ``text[start:end]`` is a whole numeric cell of a
    table body row ("61.168", or "18" of "18 (94,7%)"), else None."""
    ls, le = _line_bounds(text, start, end)
    row = headers.get(ls)
    if row is None or row.above_body(ls):
        return None
    line = text[ls:le]
    col = line[: start - ls].count("\t")
    cells = line.split("\t")
    value = _VALUE_CELL.match(cells[col])
    if not value or value.group("number") != text[start:end]:
        return None
    return row, cells, col


def count_cell_year(text: str, start: int, end: int, headers: TableHeaders, rules: NumberPatterns = RULES) -> bool:
    """A four-digit figure in a count column is a count, not a year ("SANTA LUZIA |
    1987" under "Casos confirmados"): a body cell right of the row label whose column
    header names what is counted (not a time: "Ano", "2019")."""
    cell = value_cell(text, start, end, headers)
    if cell is None:
        return False
    row, _, col = cell
    if col == 0 or col >= len(row.columns) or row.kind(col) != "count":
        return False
    name = _column_name(row.columns[col], rules)
    return name is not None and not _is_time_label(row.columns[col], rules)


def _table_unit(text: str, start: int, end: int, rules: NumberPatterns,
                headers: TableHeaders) -> Unit | None:
    """A numeric table cell takes its column header; under a bare "Qtde"/"Total" (or no
    header), its row label; failing that, the table's caption, then the list intro."""
    cell = value_cell(text, start, end, headers)
    if cell is None:
        return None
    row, cells, col = cell
    header = list(row.columns)
    head_name = _column_name(header[col], rules) if col < len(header) else None
    caption = _caption_phrase(text, row.block, rules, headers)
    if row.repeated_subhead(col):  # a cross table: the row label names what is counted
        label_col = next((i for i in range(col) if i not in row.index_columns and cells[i].strip()), None)
        name = _label_name(cells[label_col], rules) if label_col is not None else None
        if name:
            return Unit(name, end, 0.6)
    if head_name and head_name not in rules.units.intro_heads:
        return Unit(_with_caption(head_name, caption and caption.phrase), end, 0.7)
    if caption and caption.by_category:  # rows are the caption's categories ("RT-PCR")
        return Unit(caption.phrase, end, 0.6)
    # The row label is the first cell after any row number; a row whose label cell is
    # empty continues the wrapped row above it and has no label of its own.
    label_col = next((i for i in range(col) if i not in row.index_columns), None)
    if label_col is not None and not cells[label_col].strip():
        label_col = None
    label_head = header[label_col] if label_col is not None and label_col < len(header) else ""
    if label_col is not None and (not label_head.strip()
                                  or label_head.strip().lower() in rules.units.kind_headers):
        name = _label_name(cells[label_col], rules)
        if name:
            return Unit(name, end, 0.6)
    # The label column's header names the rows' instances ("Município") or the panel
    # ("Ouvidorias"): a caption says better what is counted; else the panel label.
    if caption:
        return Unit(caption.phrase, end, 0.6)
    panel = _label_name(label_head, rules) if label_head.strip() else None
    if panel and head_name in rules.units.intro_heads:
        return Unit(panel, end, 0.6)
    if row.header is None and label_col is not None and _is_time_label(cells[label_col], rules):
        intro = _intro_unit(text, row.block, rules)
        return Unit(intro, end, 0.6) if intro else None
    return None


_CAPTION = re.compile(r"^(?:tabela|quadro|gr[áa]ficos?|figura|imagem)\s*\d*\s*[.:–—-]?\s*(?P<rest>.+)$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Caption:
    """What a table's caption says its figures count, and whether it spreads them over
    categories that label the rows ("… segundo tipo do teste")."""

    phrase: str
    by_category: bool


def _caption_phrase(text: str, block_start: int, rules: NumberPatterns,
                    headers: TableHeaders | None = None) -> Caption | None:
    """What a table's caption says it counts: "TABELA 1. Distribuição dos novos casos
    confirmados para COVID-19, segundo município" -> "novos casos confirmados".

    The caption is the line just above the table, or the one before it when the
    caption wraps; the phrase follows a caption head ("distribuição dos") and ends
    at the first preposition or punctuation. A table right after another one (its
    header repeated on the next page) goes on under the first table's caption.
    """
    pos = block_start
    above: list[str] = []
    for _ in range(4):
        if pos <= 0 or len(above) == 2:
            break
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev : pos - 1].strip()
        pos = prev
        if not line:  # the blank line between an initiative's title and its body
            continue
        if "\t" in line:  # a table just before this one (a page number between at most)
            earlier = headers.get(prev) if headers is not None and len(above) <= 1 else None
            if earlier is not None and earlier.block < block_start:
                return _caption_phrase(text, earlier.block, rules, headers)
            break
        above.insert(0, line)
        m = _CAPTION.match(" ".join(above))
        if m:
            return _caption_noun_phrase(m.group("rest"), rules)
    return None


def _caption_noun_phrase(caption: str, rules: NumberPatterns) -> Caption | None:
    words = re.findall(rf"{WORD}[\wÀ-ÿ'’-]*|[,.;:()–—]", caption)
    lowered = [w.lower() for w in words]
    heads = rules.units.caption_heads
    i = next((k + 1 for k, w in enumerate(lowered) if w in heads), 0)
    while i < len(lowered) and lowered[i] in ("de", "da", "do", "das", "dos"):
        i += 1
    phrase: list[str] = []
    for w in lowered[i:]:
        if w in rules.units.caption_stops or not re.match(WORD, w):
            break
        phrase.append(w)
    if not phrase or len(phrase) > 6:
        return None
    rest = lowered[i + len(phrase):]
    cues = rules.units.caption_category_cues
    by_category = any(w in cues for w in rest) or any(
        w == "por" and nxt in rules.units.caption_category_words for w, nxt in zip(rest, rest[1:]))
    return Caption(" ".join(phrase), by_category)


def _column_name(header: str, rules: NumberPatterns) -> str | None:
    """What a column's header phrase says its cells count: "CASOS Nº" (a group header
    over a bare "Nº") -> "casos"; a bare "Qtde" stays an intro head (the row label
    then names what is counted); a rate "Incidência por 100.000 hab" keeps its
    denominator."""
    header = without_notes(header)
    measure = _BRACKETED.search(header)  # "Dist. total (km)" -> km, a unit of measure
    if measure and measure.group(1).lower() in rules.units.attached:
        return rules.units.attached[measure.group(1).lower()]
    rate = _RATE_HEADER.match(header)
    if rate and _label_name(rate.group("what"), rules):
        return " ".join(header.lower().split())
    words = header.split()
    kept = [w for w in words if w.lower() not in rules.units.intro_heads]
    while kept and kept[0].lower() in rules.not_units:  # "Qtde de veículos" -> "veículos"
        kept.pop(0)
    if kept and len(kept) < len(words):  # "CASOS Nº", "Atendimentos Total"
        return _label_name(" ".join(kept), rules)
    return _label_name(header, rules, numbered=True)


_BRACKETED = re.compile(r"\(\s*([\wÀ-ÿ²]+)\s*\)")
_RATE_HEADER = re.compile(rf"^\s*(?P<what>{WORD}[^\d]*?)\s+(?:por|p/|/)\s*[\d.]+(?:\s+mil)?\s*(?:{WORD}+\.?)?\s*$",
                          re.IGNORECASE)


def _with_caption(head: str, caption: str | None) -> str:
    """A column header named in the caption takes the caption's qualifiers: "casos" under
    "casos e óbitos confirmados acumulados" -> "casos confirmados acumulados"."""
    if not caption:
        return head
    parts = [p.split() for p in re.split(r"\s+e\s+", caption) if p.split()]
    for part in parts:
        if part[0] == head:
            tail = part[1:] or parts[-1][1:]
            return " ".join([head, *tail])
    return head


def _label_name(label: str, rules: NumberPatterns, *, numbered: bool = False) -> str | None:
    """A label usable as a unit: letters, at most six words, not a time or a year.

    ``numbered`` admits a category number in a column header ("Nota 4" -> "nota 4").
    """
    words = re.findall(rf"{WORD}[\wÀ-ÿ'’-]*", label)
    if not words or len(words) > 6 or _YEARISH.search(label):
        return None
    if re.search(r"\d", label):
        if not numbered or not re.fullmatch(rf"\s*{WORD}+\s+\d{{1,2}}\s*", label):
            return None
        words = label.split()
    lowered = [w.lower() for w in words]
    if any(w in rules.units.time_label_words for w in lowered) or all(w in rules.not_units for w in lowered):
        return None
    return " ".join(lowered)


def card_unit(label: str, rules: NumberPatterns = RULES) -> str | None:
    """The unit a dashboard card's label gives its figure: "TOTAL DE CONFIRMADOS* (CASOS +
    ÓBITOS)" -> "confirmados (casos + óbitos)". Footnote marks and a leading "Total de",
    "Número de" are dropped; a bracketed note stays, and the rest must be a usable label."""
    words = without_notes(label).split()
    while words and words[0].lower() in (*rules.units.intro_heads, "de", "da", "do", "das", "dos"):
        words.pop(0)
    phrase = " ".join(words).lower().rstrip(":–— ")
    if not phrase or _label_name(re.sub(r"\([^)]*\)", " ", phrase), rules) is None:
        return None
    return phrase


def time_labelled(text: str, start: int, end: int, rules: NumberPatterns = RULES) -> bool:
    """ "Em novembro = 413", "jan/24: 17.282": a bare number labelled by a time on its line."""
    ls, le = _line_bounds(text, start, end)
    if not _LINE_REST.match(text[end:le]):
        return False
    m = _LABEL_BEFORE.match(text[ls:start])
    return bool(m) and _is_time_label(m.group("label"), rules)


_CAPS_LABEL_LINE = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý \-/]{2,50}$")


def _caps_label_above(text: str, line_start: int, rules: NumberPatterns) -> str | None:
    """A dashboard figure alone on its line under its label in capitals ("CASOS
    RECUPERADOS" / "240.476"), a bracketed note between them ("CASOS ATIVOS" /
    "(EM ISOLAMENTO DOMICILIAR)" / "9.685") -> the label. Mixed-case lines above a lone
    figure are not taken: a chart's data labels may sit above or below their values."""
    pos = line_start
    for _ in range(2):
        if pos <= 0:
            return None
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev : pos - 1].strip()
        pos = prev
        if line.startswith("(") and line.endswith(")"):
            continue
        if not _CAPS_LABEL_LINE.match(line):
            return None
        return _label_name(line, rules)
    return None


_ITEM_HEADING = re.compile(r"^(?P<head>\w+)\b[^\t:–—-]{0,20}?(?:\s*:|\s[-–—])\s*(?P<name>[^\t\n]+?)\s*$")


def _lines_above(text: str, line_start: int) -> Iterator[tuple[int, str]]:
    """(start, stripped text) of the lines above ``line_start``, nearest first, at most
    ``_INTRO_WINDOW`` of them."""
    pos = line_start
    for _ in range(_INTRO_WINDOW):
        if pos <= 0:
            return
        prev = text.rfind("\n", 0, pos - 1) + 1
        yield prev, text[prev : pos - 1].strip()
        pos = prev


def _item_heading_unit(text: str, line_start: int, rules: NumberPatterns) -> str | None:
    """ "Indicador n.º 27 - Convênios e Parcerias" / "Período: …" / "Valor: 2" -> convênios
    e parcerias: walk up past sibling "label: value" lines to the heading naming the
    indicator or goal (rules/units.yaml item_heads); a "Número de" before its name is
    not part of what is counted."""
    for _, line in _lines_above(text, line_start):
        m = _ITEM_HEADING.match(line)
        if m and m.group("head").lower() in rules.units.item_heads:
            words = m.group("name").split()
            while words and words[0].lower() in (*rules.units.intro_heads, "de", "da", "do", "das", "dos"):
                words.pop(0)
            return _label_name(" ".join(words), rules)
        if ":" not in line or not _LABEL_BEFORE.match(line.split(":", 1)[0] + ":"):  # not a sibling
            return None
    return None


def _is_time_label(label: str, rules: NumberPatterns) -> bool:
    words = [w.lower() for w in re.findall(rf"{WORD}+", label)]
    return bool(_YEARISH.search(label)) or any(w in rules.units.time_label_words for w in words)


def _intro_unit(text: str, line_start: int, rules: NumberPatterns) -> str | None:
    """Walk up past sibling "label: N" lines to the line introducing the list."""
    for prev, line in _lines_above(text, line_start):
        if not line or re.search(r"[:=][ \t]*[^\d\n]{0,25}\d[\d.,]*[ \t]*$", line):
            continue
        return _intro_line_unit(_with_wrapped_start(text, prev, line), rules)
    return None


def _with_wrapped_start(text: str, line_start: int, line: str) -> str:
    """The intro sentence when it wraps: "o número de" + "atendimentos em 2025:".

    Earlier lines are prepended while they do not end a sentence (., ;, !, ?, :).
    """
    for _ in range(2):
        if line_start <= 0:
            break
        prev = text.rfind("\n", 0, line_start - 1) + 1
        above = text[prev : line_start - 1].strip()
        if not above or above[-1] in ".;!?:" or "\t" in above:
            break
        line, line_start = f"{above} {line}", prev
    return line


def _intro_line_unit(line: str, rules: NumberPatterns) -> str | None:
    """ "o número de atendimentos em 2025:" -> atendimentos; "Atendimentos digitais
    realizados nas UAIs:" -> atendimentos digitais (the noun the intro starts with)."""
    if not line.endswith(":"):
        return None
    found = list(rules.intro.finditer(line))
    if found:
        return _clean(found[-1].group(1)) if _usable(found[-1].group(1), rules) else None
    first = _WORD_RE.match(" " + line)
    if not first or not _usable(first.group(1), rules) or not first.group(1)[:1].isupper():
        return None
    return _complement(" " + line, first.end(), _clean(first.group(1)), rules)[0]


# Sentences end at . ; ! ? (before a space), a blank line, a table cell or a new
# bullet; a plain line break is a wrapped line and does not end one.
_SENTENCE_BREAK = re.compile(r"[.;!?](?=\s)|\n[ \t]*\n|\t|\n(?=[ \t]*[-•*–·▪►])")


def sentence_before(text: str, start: int, window: int = 160) -> str:
    """The part of the sentence holding ``start`` that comes before it (line wraps kept)."""
    before = text[max(0, start - window) : start]
    breaks = list(_SENTENCE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


def _measure_unit(text: str, start: int, rules: NumberPatterns) -> str | None:
    """ "alcançar o nível de maturidade em privacidade de 0,75" -> nível de maturidade."""
    before = sentence_before(text, start)
    m = None
    for m in rules.measure.finditer(before):
        pass
    if not m or not rules.measure_link.search(before[m.end() :]):
        return None
    if m.group(3) and _usable(m.group(3), rules):
        return f"{m.group(1).lower()} {m.group(2).lower()} {m.group(3).lower()}"
    return m.group(1).lower()


def elided_unit(text: str, start: int, unit: Unit, rules: NumberPatterns = RULES) -> Unit | None:
    """ "64 sistemas dos 150 previstos": 150 counts sistemas, not "previstos"."""
    head = unit.name.split()[0]
    if head not in rules.units.participles and not any(head.endswith(e) for e in ("ados", "idos", "adas", "idas")):
        return None
    before = sentence_before(text, start)
    if not rules.ellipsis_link.search(before):
        return None
    previous = None
    for n in rules.numeral.finditer(before):
        mult = rules.multiplier.match(before, n.end())
        previous = unit_after(before, mult.end() if mult else n.end(), rules, after_multiplier=bool(mult)) or previous
    if previous is None or previous.name.split()[0] in rules.units.participles:
        return None
    return Unit(previous.name, unit.end, 0.75)


def unit_from_context(
    text: str, start: int, end: int, rules: NumberPatterns = RULES, headers: TableHeaders | None = None
) -> Unit | None:
    """The unit of a number that stands alone, from its table, list intro, measure or label.

    ``headers`` is :func:`table_headers` of ``text``; pass it when asking many times.
    """
    headers = table_headers(text) if headers is None else headers
    table = _table_unit(text, start, end, rules, headers)
    if table:
        return table
    ls, le = _line_bounds(text, start, end)
    before = text[ls:start]
    # a number labelled on its own line ("Vistorias Solicitadas : 5.388") is read by its
    # label, not by a measure named on a line above ("Indicador n.º 3 - …")
    labelled = _LABEL_BEFORE.match(before) or _LAST_LABEL_BEFORE.match(before)
    measure = _measure_unit(text[ls:] if labelled else text, start - ls if labelled else start, rules)
    if measure:
        return Unit(measure, end, 0.7)
    if not _LINE_REST.match(text[end:le]) and not _NEXT_LABEL.match(text, end):
        return None
    if not before.strip():
        above = _caps_label_above(text, ls, rules)
        return Unit(above, end, 0.6) if above else None
    m = _LABEL_BEFORE.match(before) or _CAPS_LABEL_BEFORE.match(before) or _LAST_LABEL_BEFORE.match(before)
    if not m:
        return None
    if _is_time_label(m.group("label"), rules):
        intro = _intro_unit(text, ls, rules)
        return Unit(intro, end, 0.75) if intro else None
    if " ".join(m.group("label").lower().split()) in rules.units.value_labels:
        item = _item_heading_unit(text, ls, rules)
        if item:
            return Unit(item, end, 0.6)
    named = rules.intro.search(m.group("label"))
    if named and _usable(named.group(1), rules):
        return Unit(_clean(named.group(1)), end, 0.7)
    name = _label_name(m.group("label"), rules)
    return Unit(name, end, 0.6) if name else None
