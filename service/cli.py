"""`relato` command line: serve, worker, token, ingest, reextract, retry, blobs, quality, extract.

Everything heavy is imported inside the command that needs it, so that
`relato extract FILE.pdf` never loads FastAPI, SQLModel or a database driver.
"""

from __future__ import annotations

import argparse
import logging
import sys
from functools import partial
from pathlib import Path

ROLES = ("operator", "reviewer", "consumer", "admin")
WALKTHROUGH_PDF = "status-deck-2025-10.pdf"  # left out of --demo: the README walk-through uploads it
DATABASE = (
    "database: RELATO_DATABASE_URL (default sqlite:///./relato.db, the file relato.db in the current "
    "folder; PostgreSQL: postgresql+psycopg://user@host/db), migrated on start; PDFs in the database on "
    "PostgreSQL, else (and cached, with page images) under RELATO_DATA_DIR (default ./relato-data). "
    "Every setting: service/README.md."
)


def _command(subs, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
    """A (sub)command whose --help ends with where the database is."""
    return subs.add_parser(name, help=help, description=description or help, epilog=DATABASE)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="relato", description="Status-report PDFs to reviewed records. `relato COMMAND --help` explains each command.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of:")
    command = partial(_command, sub)

    serve = command("serve", "API, review page and an extraction worker in one process",
                    "Serve the API (/api/v1; interactive docs at /docs), the review page (/review) and, "
                    "unless --no-worker, one extraction worker, in one process. Stop it with Ctrl-C.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: %(default)s, this machine only; 0.0.0.0: every interface)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on (default: %(default)s)")
    serve.add_argument("--workers", type=int, default=None, metavar="N",
                       help="web server processes (default: one per CPU with PostgreSQL, 1 with SQLite, whose "
                            "writers in several processes would queue on its busy timeout); the extraction "
                            "worker stays one, in the parent process")
    serve.add_argument("--no-access-log", action="store_true",
                       help="do not log each request (e.g. behind a proxy that logs them already)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not extract in this process; run `relato worker` separately (several with PostgreSQL)")
    serve.add_argument("--demo", action="store_true",
                       help=f"first queue the sample reports in corpus/ (all but {WALKTHROUGH_PDF}, which the README's "
                            "walk-through uploads) and print three new tokens, reviewer, operator and consumer, revoking those of earlier runs")
    worker = command("worker", "extract queued reports (run several, on several machines with PostgreSQL)")
    worker.add_argument("--drain", action="store_true", help="exit when the queue is empty instead of waiting for more")
    token = command("token", "create, list or revoke API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION", help="one of:")
    create = _command(token_sub, "create", "print a new API token on stdout (only its hash is stored)",
                      "Print a new API token on stdout, alone, so that TOKEN=$(relato token create ...) "
                      "captures it; it is shown only now.")
    create.add_argument("--role", required=True, choices=ROLES,
                        help="operator: uploads; reviewer: reviews facts; consumer: reads the records feed; admin: all")
    create.add_argument("--name", required=True, help="who uses it; recorded in the review history")
    _command(token_sub, "list", "list tokens: id, role, name, created, last used (to the minute), revoked (never the secret)",
             "List every token, oldest first: id, role, name, when it was created and revoked. "
             "Secrets are never stored, so never shown.")
    revoke = _command(token_sub, "revoke", "revoke tokens by id or by name; they stop working at once",
                      "Revoke a token by its id, or every live token with that name; a revoked token gets "
                      "401 from then on.")
    revoke.add_argument("token", metavar="NAME|ID", help="a token id (from `relato token list`) or a token name")
    ingest = command("ingest", "add PDFs (files or folders) and extract them",
                     "Add PDFs like uploads (same checks, same sha256 de-duplication), print one line per file "
                     "(report id, queued or known, path), then extract the queue here.")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="a PDF file, or a folder searched recursively for *.pdf; as many as you like")
    ingest.add_argument("--no-extract", action="store_true", help="only queue; leave extraction to workers")
    reextract = command("reextract", "extract stored reports again (after a rules change), keeping reviews",
                        "Extract stored reports again (after a rules change). Facts found again keep their id, "
                        "status and reviewer; facts no longer found are flagged orphaned, never deleted.")
    reextract.add_argument("report_ids", nargs="*", type=int, metavar="REPORT_ID",
                           help="ids of the reports to extract again (GET /api/v1/reports lists them); or --all")
    reextract.add_argument("--all", action="store_true", help="every extracted report, oldest status date first")
    retry = command("retry", "queue failed reports again",
                    "Queue failed reports again (after their cause is mended: more memory, a re-uploaded PDF); "
                    "their attempts start again from zero. Reports that are not failed are named and left (exit 1).")
    retry.add_argument("report_ids", nargs="+", type=int, metavar="REPORT_ID", help="ids of failed reports")
    blobs = command("blobs", "the store of uploaded PDFs (RELATO_BLOB_STORE)")
    blobs_sub = blobs.add_subparsers(dest="blobs_command", required=True, metavar="ACTION", help="one of:")
    _command(blobs_sub, "push", "copy the PDFs under RELATO_DATA_DIR/pdfs into the database store",
             "Copy every PDF under RELATO_DATA_DIR/pdfs that the database store lacks into it: run it once "
             "on the machine that has the files after moving from RELATO_BLOB_STORE=dir to db (the default "
             "on PostgreSQL), so workers elsewhere find them; reports that failed for want of their PDF are "
             "queued again. Files whose bytes do not match their sha256 name are listed and left out (exit 1).")
    quality = command("quality", "how good extraction is here, from reviewers' decisions (as GET /api/v1/quality)",
                      "Print the quality report that GET /api/v1/quality returns, as tables: precision "
                      "(confirmed / decided; confirm = right, correct or reject = wrong) with 95 % Wilson "
                      "intervals per extractor, kind, series and report; facts added by hand (misses); recall on "
                      "pages marked complete; confidence bins against observed precision; each extractor's "
                      "refitted confidence; drift flags. The refit is brought up to date first.")
    quality.add_argument("--json", action="store_true", help="print the API's JSON instead of tables")
    sub.add_parser("extract", help="print the extraction of one PDF as JSON (no database; `relato extract --help`)",
                   add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["extract"]:
        from extractor.cli import main_extract

        return main_extract(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations speak up only when something is wrong
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        return _worker(args)
    if args.command == "token":
        return {"create": _token_create, "list": _token_list, "revoke": _token_revoke}[args.token_command](args)
    if args.command == "reextract":
        return _reextract(args)
    if args.command == "blobs":
        return _blobs_push(args)
    if args.command == "retry":
        return _retry(args)
    if args.command == "quality":
        return _quality(args)
    return _ingest(args)


def _demo(host: str, port: int) -> None:
    """Queue the project's sample reports (but the walk-through's) and print tokens to try the
    service with; the same on every run (service/jobs/demo.py)."""
    from service.jobs.demo import demo_lines, seed_demo

    settings, engine = _engine()
    seed = seed_demo(engine, settings, Path(__file__).resolve().parent.parent / "corpus", WALKTHROUGH_PDF)
    print("\n" + "\n".join(demo_lines(seed, host, port, WALKTHROUGH_PDF)) + "\n", file=sys.stderr)


def default_workers(database_url: str) -> int:
    """One web process per CPU this process may run on with PostgreSQL; one with SQLite."""
    import os

    if database_url.startswith("sqlite"):
        return 1
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _serve(args: argparse.Namespace) -> int:
    """One process: uvicorn runs the app, which runs the extraction worker in a thread.
    N processes (service/api/processes.py): N web processes of `create_web_app`, each with
    its own socket on the port, and this parent process runs the machine's one
    extraction worker. uvicorn picks uvloop and httptools, which are dependencies."""
    import threading

    from service.storage.config import Settings

    workers = args.workers or default_workers(Settings.from_env().database_url)
    if workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    if args.demo:
        _demo(args.host, args.port)
    if workers == 1:
        import uvicorn

        from service.api.app import create_app

        from service.api.processes import server_options

        uvicorn.run(create_app(start_worker=not args.no_worker), host=args.host, port=args.port,
                    access_log=not args.no_access_log, **server_options(Settings.from_env()))
        return 0
    from service.api.processes import serve_processes

    settings, engine = _engine()  # migrated once, before the web processes start
    stop, thread = threading.Event(), None
    if not args.no_worker:
        from service.jobs.worker import run_worker

        thread = threading.Thread(target=run_worker, args=(engine, settings, stop), name="relato-worker", daemon=True)
        thread.start()
    logging.getLogger("relato.serve").info("%d web processes on %s:%d; extraction worker %s", workers, args.host,
                                           args.port, "off" if args.no_worker else "in this process")
    try:
        return serve_processes(args.host, args.port, workers, access_log=not args.no_access_log)
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=30)
        engine.dispose()


def _engine():  # type: ignore[no-untyped-def]
    from service.storage.config import Settings
    from service.storage.db import make_engine, run_migrations

    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    run_migrations(engine)
    return settings, engine


def _quality(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from service.quality.refit import refresh
    from service.quality.report import quality_report
    from service.quality.table import render
    from service.storage.db import read_engine

    _, engine = _engine()
    try:
        refresh(engine)
        with Session(read_engine(engine)) as session:
            report = quality_report(session)
    finally:
        engine.dispose()
    print(report.model_dump_json(indent=2) if args.json else render(report), end="\n" if args.json else "")
    return 0


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
    from service.storage.tokens import a_role, create_token

    _, engine = _engine()
    with Session(write_engine(engine)) as session:
        _, plaintext = create_token(session, role=args.role, name=args.name)
    print(plaintext)
    print(f"created {a_role(args.role)} token for {args.name!r}; it is shown only now", file=sys.stderr)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from service.storage.timeutil import as_utc
    from service.storage.tokens import list_tokens

    def when(value) -> str:  # type: ignore[no-untyped-def]
        return as_utc(value).strftime("%Y-%m-%d %H:%M UTC") if value else "-"

    _, engine = _engine()
    with Session(engine) as session:
        rows = list_tokens(session)
    lines = [("id", "role", "name", "created", "last_used", "revoked")]
    lines += [(str(r.id), r.role, r.name, when(r.created_at), when(r.last_used_at), when(r.revoked_at)) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) + "  " + line[5])
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from sqlmodel import Session

    from service.storage.db import write_engine
    from service.storage.tokens import list_tokens, revoke

    _, engine = _engine()
    with Session(write_engine(engine)) as session:
        rows = [r for r in list_tokens(session) if str(r.id) == args.token or r.name == args.token]
        live = [r for r in rows if r.revoked_at is None]
        for row in live:
            revoke(session, row)
            print(f"revoked token {row.id} ({row.role}, {row.name!r})")
    if not rows:
        print(f"no token has the id or name {args.token!r} (see `relato token list`)", file=sys.stderr)
        return 1
    if not live:
        print(f"{args.token!r}: already revoked", file=sys.stderr)
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from service.jobs.ingest import ingest_paths

    settings, engine = _engine()
    return ingest_paths(engine, settings, args.paths, extract=not args.no_extract)


def _retry(args: argparse.Namespace) -> int:
    from service.jobs.retry import retry_report

    _, engine = _engine()
    refused = 0
    for report_id in args.report_ids:
        try:
            retry_report(engine, report_id)
            print(f"report {report_id}: queued again", flush=True)
        except (LookupError, ValueError) as exc:
            refused += 1
            print(f"report {report_id}: not retried: {exc}", file=sys.stderr)
    return 1 if refused else 0


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


def _blobs_push(args: argparse.Namespace) -> int:
    from service.jobs.worker import requeue_missing_pdfs
    from service.storage.blobs import open_store, push_local

    settings, engine = _engine()
    if settings.blob_store_kind != "db":
        print("RELATO_BLOB_STORE is dir (the default on SQLite): the PDFs are already where they are kept; "
              "set RELATO_BLOB_STORE=db to keep them in the database", file=sys.stderr)
        return 2
    pushed, present, bad = push_local(settings, open_store(settings, engine))
    for path in bad:
        print(f"left out (its bytes do not match its sha256 name): {path}", file=sys.stderr)
    print(f"{pushed} PDFs copied into the database, {present} were there already, {len(bad)} left out")
    if requeued := requeue_missing_pdfs(engine, settings):
        print(f"queued again (they had failed for want of their PDF): reports {', '.join(map(str, requeued))}")
    return 1 if bad else 0
