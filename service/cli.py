"""`relato` command line: serve, worker, token, ingest, extract.

Everything heavy is imported inside the command that needs it, so that
`relato extract FILE.pdf` never loads FastAPI, SQLModel or a database driver.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROLES = ("operator", "reviewer", "consumer", "admin")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relato", description="Status-report PDFs to reviewed records.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="API, review page and an extraction worker in one process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="do not extract in this process")
    serve.add_argument("--demo", action="store_true",
                       help="queue the sample corpus (corpus/*.pdf) and print a reviewer token first")
    worker = sub.add_parser("worker", help="extract queued reports (run several, on several machines with PostgreSQL)")
    worker.add_argument("--drain", action="store_true", help="exit when the queue is empty")
    token = sub.add_parser("token", help="manage API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="print a new API token (only its hash is stored)")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", required=True, help="who uses it; recorded in the review history")
    ingest = sub.add_parser("ingest", help="add PDFs (files or folders) and extract them")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest.add_argument("--no-extract", action="store_true", help="only queue; leave extraction to workers")
    reextract = sub.add_parser("reextract", help="extract stored reports again (after a rules change), keeping reviews")
    reextract.add_argument("report_ids", nargs="*", type=int, metavar="REPORT_ID")
    reextract.add_argument("--all", action="store_true", help="every extracted report, oldest status date first")
    sub.add_parser("extract", help="print the extraction of one PDF as JSON (no database)", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["extract"]:
        from extractor.cli import main_extract

        return main_extract(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        return _worker(args)
    if args.command == "token":
        return _token_create(args)
    if args.command == "reextract":
        return _reextract(args)
    return _ingest(args)


def _demo(host: str, port: int) -> None:
    """Queue the project's sample reports and print tokens to try the service with."""
    from sqlmodel import Session

    from service.storage.db import write_engine
    from service.jobs.ingest import ingest_paths
    from service.storage.tokens import create_token

    settings, engine = _engine()
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    ingest_paths(engine, settings, sorted(corpus.glob("*.pdf")), extract=False)
    tokens = {}
    with Session(write_engine(engine)) as session:
        for role in ("reviewer", "operator", "consumer"):
            tokens[role] = create_token(session, role=role, name=f"demo-{role}")[1]
    print(f"\nrelato is starting on http://{host}:{port}", file=sys.stderr)
    print(f"  review page: http://{host}:{port}/review   API docs: http://{host}:{port}/docs",
          file=sys.stderr)
    for role, plaintext in tokens.items():
        print(f"  {role:9} token: {plaintext}", file=sys.stderr)
    print("  the sample reports are extracted in the background; refresh in a few seconds\n",
          file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.api.app import create_app

    if args.demo:
        _demo(args.host, args.port)
    uvicorn.run(create_app(start_worker=not args.no_worker), host=args.host, port=args.port)
    return 0


def _engine():  # type: ignore[no-untyped-def]
    from service.storage.config import Settings
    from service.storage.db import make_engine, run_migrations

    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    run_migrations(engine)
    return settings, engine


def _worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from service.jobs.worker import run_worker

    settings, engine = _engine()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    processed = run_worker(engine, settings, stop, drain=args.drain)
    logging.getLogger("relato.worker").info("worker stopped after %d reports", processed)
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from service.storage.db import write_engine
    from service.storage.tokens import create_token

    _, engine = _engine()
    with Session(write_engine(engine)) as session:
        _, plaintext = create_token(session, role=args.role, name=args.name)
    print(plaintext)
    print(f"created a {args.role} token for {args.name!r}; it is shown only now", file=sys.stderr)
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from service.jobs.ingest import ingest_paths

    settings, engine = _engine()
    return ingest_paths(engine, settings, args.paths, extract=not args.no_extract)


def _reextract(args: argparse.Namespace) -> int:
    from service.jobs.reextract import done_report_ids, reextract

    if bool(args.report_ids) == bool(args.all):
        print("name report ids or pass --all (not both)", file=sys.stderr)
        return 2
    settings, engine = _engine()
    failed = 0
    for report_id in done_report_ids(engine) if args.all else args.report_ids:
        try:
            print(reextract(engine, settings, report_id).line(), flush=True)
        except Exception as exc:  # one bad report must not stop the others
            failed += 1
            print(f"report {report_id}: not re-extracted: {exc}", file=sys.stderr)
    return 1 if failed else 0
