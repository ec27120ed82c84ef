"""`relato extract FILE.pdf`: print the EXTRACT-JSON document on stdout.

Only the JSON goes to stdout. A PDF that cannot be read prints nothing there,
a one-line reason on stderr, and exits 2. Never a traceback for bad input.
The time and memory limits (RELATO_EXTRACT_TIMEOUT_S, RELATO_EXTRACT_MEMORY_MB,
see extractor/limits.py) apply: a PDF that passes them is bad input, exit 2.
Scanned pages are read by OCR (RELATO_OCR, see extractor/ocr.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from extractor import limits
from extractor.errors import BadPDF

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="relato extract")
    parser.add_argument("file", help="the PDF to extract")
    parser.add_argument("--indent", type=int, default=1, help="JSON indent (0 for one line)")
    return parser


def run_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from extractor.ocr import mode as ocr_mode
    from extractor.pdf import check_file

    try:
        seconds = limits.timeout_s()
        ocr_mode()  # RELATO_OCR, checked before any PDF is read
        limits.limit_memory(limits.memory_mb())
    except ValueError as exc:
        print(f"relato extract: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    try:
        check_file(Path(args.file))  # before the spaCy pipeline is even imported
        from extractor.pipeline import extract_pdf

        with limits.deadline(seconds, f"relato extract: {args.file}"):
            result = extract_pdf(args.file)
    except BadPDF as exc:
        print(f"relato extract: {args.file}: {exc.reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print(f"relato extract: {args.file}: out of memory while reading the PDF", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        logging.getLogger(__name__).debug("extraction failed", exc_info=True)
        print(f"relato extract: {args.file}: internal error: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_INTERNAL
    try:
        sys.stdout.write(result.model_dump_json(indent=args.indent or None))
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
