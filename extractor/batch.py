"""Many PDFs in one command: `relato extract -j N --jsonl FOLDER`.

A backlog of reports is one command, not a shell loop that pays the start-up (spaCy,
rules, gazetteer) once per file. The parent loads the pipeline once and forks
``jobs`` children (the loaded rules are shared copy-on-write); each child extracts
one file at a time under the same limits as a single `relato extract` (memory per
process, a deadline per file), so one bad file costs its own line, never the batch.

Each file gives one :class:`Outcome`, printed as one JSON line in the order the files
were named (folders: their ``*.pdf``, recursively, sorted), whatever order the children
finish in. The children take the biggest files first, so that a long file does not
start last and keep one core busy while the other waits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor import limits
from extractor.errors import BadPDF

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


@dataclass(frozen=True)
class Outcome:
    """What one file gave: its extraction as a JSON string, or why it gave none."""

    file: str
    exit: int  # 0 extracted, 2 bad input, 1 internal error (as `relato extract FILE`)
    json: str = ""  # the EXTRACT-JSON document on one line, when exit is 0
    reason: str = ""  # one line, when exit is not 0

    def line(self) -> str:
        """The JSON line: the document with the file named, or the file and its error."""
        if self.exit == EXIT_OK:
            return f'{{"file": {json.dumps(self.file, ensure_ascii=False)}, "extraction": {self.json}}}'
        kind = "bad_input" if self.exit == EXIT_BAD_INPUT else "internal_error"
        return json.dumps({"file": self.file, "error": kind, "reason": self.reason}, ensure_ascii=False)


def pdf_paths(paths: Iterable[str]) -> list[Path]:
    """Files as named, folders as their ``*.pdf`` (any case, recursively, sorted)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.suffix.lower() == ".pdf" and f.is_file())
        else:
            out.append(p)
    return out


def extract_one(path: Path, indent: int | None = None) -> Outcome:
    """Extract one file under the deadline; bad input and crashes become an outcome."""
    from extractor.pdf import check_file
    from extractor.pipeline import extract_pdf

    name = str(path)
    try:
        check_file(path)
        with limits.deadline(limits.timeout_s(), f"relato extract: {name}"):
            result = extract_pdf(path)
        return Outcome(name, EXIT_OK, result.model_dump_json(indent=indent))
    except BadPDF as exc:
        return Outcome(name, EXIT_BAD_INPUT, reason=exc.reason)
    except MemoryError:
        return Outcome(name, EXIT_BAD_INPUT, reason="out of memory while reading the PDF")
    except Exception as exc:  # noqa: BLE001 - one file's crash is its own line, not the batch's
        logging.getLogger(__name__).debug("extraction failed", exc_info=True)
        return Outcome(name, EXIT_INTERNAL, reason=f"internal error: {type(exc).__name__}: {exc}")


# Every rule component and data file is loaded lazily on first use: one sentence with a
# date, a count, money, a percentage and a municipality loads them all in the parent.
WARM_UP_TEXT = "Em 06 de novembro de 2024, 255.766 acionamentos (68%), R$ 1,2 milhão em Belo Horizonte."


def _warm_up() -> None:
    """Load the pipeline and its rules once, before the fork shares them copy-on-write."""
    import extractor.pipeline  # noqa: F401
    from extractor.facts.base import FactContext
    from extractor.facts.pipeline import find_facts

    find_facts(FactContext(text=WARM_UP_TEXT))


def _child_start(memory_mb: int) -> None:
    limits.limit_memory(memory_mb)


def _child_extract(job: tuple[int, Path]) -> tuple[int, Outcome]:
    return job[0], extract_one(job[1])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def extract_many(paths: list[Path], jobs: int) -> Iterator[Outcome]:
    """Outcomes in the order of ``paths``, ``jobs`` files at a time (1: in this process)."""
    memory_mb = limits.memory_mb()
    if jobs <= 1 or len(paths) <= 1:
        limits.limit_memory(memory_mb)
        for p in paths:
            yield extract_one(p)
        return
    import multiprocessing  # only for a batch: a single file starts without it

    _warm_up()
    ctx = multiprocessing.get_context("fork")
    # maxtasksperchild: a file that fragmented a child's heap does not weigh on the next ones
    # the biggest files first, so the batch does not end waiting on one long file;
    # outcomes are still yielded in the order of ``paths``
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    done: dict[int, Outcome] = {}
    following = 0
    with ctx.Pool(jobs, initializer=_child_start, initargs=(memory_mb,), maxtasksperchild=16) as pool:
        for i, outcome in pool.imap_unordered(_child_extract, [(i, paths[i]) for i in order], chunksize=1):
            done[i] = outcome
            while following in done:
                yield done.pop(following)
                following += 1
