"""`relato extract FILE.pdf`: print the EXTRACT-JSON document on stdout.

Only the JSON goes to stdout. A PDF that cannot be read prints nothing there,
a one-line reason on stderr, and exits 2. Never a traceback for bad input.
The time and memory limits (RELATO_EXTRACT_TIMEOUT_S, RELATO_EXTRACT_MEMORY_MB,
see extractor/limits.py) apply: a PDF that passes them is bad input, exit 2.
Scanned pages are read by OCR (RELATO_OCR, see extractor/ocr.py).

Several files, a folder or ``--jsonl`` print one JSON line per file instead
(extractor/batch.py), ``-j N`` files at a time.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from extractor import limits
from extractor.batch import EXIT_BAD_INPUT, EXIT_INTERNAL, extract_many, pdf_paths
from extractor.errors import BadPDF

DESCRIPTION = """\
Print what relato extracts from a status-report PDF, with no database: the JSON of
spec/EXTRACT-JSON.md (report title and status date; initiatives with their area,
pages and text; each fact's kind, value, unit, qualifier, page, bbox, extractor and
confidence; warnings). Only JSON goes to stdout; reasons and logs go to stderr."""

EPILOG = """\
several files or folders (their *.pdf, recursively), or --jsonl: one JSON line per
file, in the order named: {"file": ..., "extraction": {...}} or {"file": ...,
"error": "bad_input"|"internal_error", "reason": ...}; -j N extracts N at a time.

exit status: 0 extracted; 2 bad input (not a PDF, empty, damaged, encrypted, over
the time or memory limit, a scan with OCR off or Tesseract missing), with one line
on stderr; 1 internal error or bad setting. With several files: the worst of them.

environment:
  RELATO_OCR=auto|off          auto (default): scanned pages are read by Tesseract with
                               its Portuguese data (apt-get install tesseract-ocr
                               tesseract-ocr-por); off: a scan is bad input
  RELATO_OCR_PAGE_TIMEOUT_S    the most one page's OCR may take (default 30)
  RELATO_EXTRACT_TIMEOUT_S     seconds for one file, 0 = none (default 120)
  RELATO_EXTRACT_MEMORY_MB     address-space limit per process, 0 = none (default 1024)
  RELATO_CACHE_DIR             where compiled rules are cached (default
                               $XDG_CACHE_HOME/relato, else ~/.cache/relato)
  RELATO_CACHE=off             compile the rules in every process instead"""


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="relato extract")
    parser.description, parser.epilog = DESCRIPTION, EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("file", nargs="+", metavar="PATH", help="PDF files or folders of PDFs")
    parser.add_argument("--indent", type=int, default=1, help="JSON indent of one file's document (0 for one line)")
    parser.add_argument("--jsonl", action="store_true", help="one JSON line per file, even for one file")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                        help="files extracted at a time, each in its own process (default 1)")
    return parser


def _settings_ok() -> bool:
    from extractor.ocr import mode as ocr_mode

    try:
        limits.timeout_s()
        ocr_mode()  # RELATO_OCR, checked before any PDF is read
        limits.memory_mb()
    except ValueError as exc:
        print(f"relato extract: {exc}", file=sys.stderr)
        return False
    return True


def run_extract(args: argparse.Namespace) -> int:
    if not _settings_ok():
        return EXIT_INTERNAL
    if args.jobs < 1:
        print("relato extract: -j must be at least 1", file=sys.stderr)
        return EXIT_INTERNAL
    paths = pdf_paths(args.file)
    if args.jsonl or len(paths) != 1 or any(Path(f).is_dir() for f in args.file):
        return _run_many(paths, args.jobs)
    return _run_one(Path(args.file[0]), args.indent)


def _run_many(paths: list[Path], jobs: int) -> int:
    worst = 0
    try:
        for outcome in extract_many(paths, jobs):
            sys.stdout.write(outcome.line() + "\n")
            sys.stdout.flush()
            if outcome.exit:
                print(f"relato extract: {outcome.file}: {outcome.reason}", file=sys.stderr)
                worst = EXIT_INTERNAL if EXIT_INTERNAL in (worst, outcome.exit) else EXIT_BAD_INPUT
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return worst


def _run_one(path: Path, indent: int) -> int:
    from extractor.pdf import check_file

    seconds = limits.timeout_s()
    limits.limit_memory(limits.memory_mb())
    try:
        check_file(path)  # before the extraction pipeline is even imported
        from extractor.pipeline import extract_pdf

        with limits.deadline(seconds, f"relato extract: {path}"):
            result = extract_pdf(path)
    except BadPDF as exc:
        print(f"relato extract: {path}: {exc.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print(f"relato extract: {path}: out of memory while reading the PDF", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        logging.getLogger(__name__).debug("extraction failed", exc_info=True)
        print(f"relato extract: {path}: internal error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL
    try:
        sys.stdout.write(result.model_dump_json(indent=indent or None))
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `relato extract f.pdf | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def main_extract(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return run_extract(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main_extract())
