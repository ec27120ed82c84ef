"""Find a fact's words in its initiative's text and cut out the sentence around them.

Stored facts keep their text, not their offsets, so the review page's "source
sentence" is found again here: the n-th occurrence of the fact's text (n = how
many facts of the same initiative with the same text come before it), matched
with any whitespace between words because a fact may span a line break.
Report lines wrap mid-sentence, so a line break alone does not end a sentence;
punctuation, a blank line, a bullet or a table row does.
"""

from __future__ import annotations

import re

MAX_CHARS = 320
# Where a sentence ends: after . ! ? ; and whitespace, at a blank line, before a bullet line.
_BREAK = re.compile(r"(?<=[.!?;])\s+(?=\S)|\n\s*\n|\n(?=\s*[•▪●◦*\-–—]\s)|\n(?=\s*\d{1,2}[.)]\s)")
_TABLE_ROW = "\t"
_BULLET = re.compile(r"\s*(?:[•▪●◦*\-–—]|\d{1,2}[.)])\s")


def locate(text: str, needle: str, nth: int = 0) -> tuple[int, int] | None:
    """Offsets of the `nth` occurrence of `needle` in `text` (whitespace-tolerant), or of the first."""
    words = needle.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    # "12" is not the 12 inside "412,5": a needle that starts or ends with a letter or
    # digit must not continue a word there.
    head = r"(?<!\w)" if re.match(r"\w", needle.strip()) else ""
    tail = r"(?!\w)" if re.search(r"\w$", needle.strip()) else ""
    pattern = re.compile(head + body + tail)
    found = list(pattern.finditer(text))
    if not found:
        found = list(re.compile(pattern.pattern, re.IGNORECASE).finditer(text))
    if not found:
        return None
    match = found[nth] if 0 <= nth < len(found) else found[0]
    return match.start(), match.end()


def _line_breaks(text: str) -> list[tuple[int, int]]:
    """Line ends that end a sentence: around a table row, and after a bullet item
    unless the next line continues it in lower case."""
    out, line_start = [], 0
    for nl in (i for i, ch in enumerate(text) if ch == "\n"):
        next_end = text.find("\n", nl + 1)
        line, following = text[line_start:nl], text[nl + 1:next_end if next_end >= 0 else len(text)]
        table = _TABLE_ROW in line or _TABLE_ROW in following
        if table or (_BULLET.match(line) and not following[:1].islower()):
            out.append((nl, nl + 1))
        line_start = nl + 1
    return out


def _bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or bullet item, or table row) containing text[start:end]."""
    left, right = 0, len(text)
    breaks = sorted([(m.start(), m.end()) for m in _BREAK.finditer(text)] + _line_breaks(text))
    for brk_start, brk_end in breaks:
        if brk_end <= start:
            left = max(left, brk_end)
        elif brk_start >= end:
            right = brk_start
            break
    return left, right


def _lead_in(text: str, left: int) -> str:
    """For a bullet item, the line that introduces its list ("Atendimentos nas UAIs:"),
    which often names what the item's number counts; '' otherwise."""
    lines = text[:left].rstrip("\n").split("\n")
    if not _BULLET.match(text[left:left + 8]):
        return ""
    skipped = 0
    while lines and _BULLET.match(lines[-1]):
        lines.pop()
        skipped += 1
    intro = lines[-1].strip() if lines else ""
    if not intro.endswith(":") or len(intro) > MAX_CHARS // 2:
        return ""
    return _tidy(intro) + (" … " if skipped else " ")


def sentence_around(text: str, start: int, end: int) -> tuple[str, tuple[int, int]]:
    """(sentence, (mark_start, mark_end)): whitespace folded to single spaces, table cells
    shown as ' | ', at most MAX_CHARS around the mark (cut ends marked with '…'); a
    bullet item is preceded by the line that introduces its list."""
    left, right = _bounds(text, start, end)
    room = max(0, MAX_CHARS - (end - start)) // 2
    cut_left, cut_right = max(left, start - room), min(right, end + room)
    pieces = [text[cut_left:start], text[start:end], text[end:cut_right]]
    before, mark, after = (_tidy(p) for p in pieces)
    before = _lead_in(text, left) + ("…" if cut_left > left else "") + before.lstrip()
    after = after.rstrip() + ("…" if cut_right < right else "")
    return before + mark + after, (len(before), len(before) + len(mark))


def _tidy(piece: str) -> str:
    return re.sub(r"[ \n\r\f\v]+", " ", piece.replace("\t", " | "))
