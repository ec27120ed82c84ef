"""What `relato serve --demo` (`make run`) puts in the database, the same on every run:
the sample reports (registered once: the same bytes again are known, not queued twice)
and one token per demo role. A token's secret is shown once and only its hash is kept,
so a new run cannot print the old secrets again: it revokes the demo tokens still live
and prints new ones, so each demo role has exactly one live token whatever the number of
runs. The lines it prints say what is true now: reports queued by this run, or already
stored (and how far their extraction got); the walk-through's report mentioned only
while it has not been uploaded."""

from __future__ import annotations

import hashlib
import io
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.jobs.ingest import register_all
from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import ApiToken, Report
from service.storage.tokens import create_token, revoke

DEMO_ROLES = ("reviewer", "operator", "consumer")


@dataclass
class DemoSeed:
    tokens: dict[str, str] = field(default_factory=dict)  # role -> the new secret
    revoked: int = 0  # demo tokens of earlier runs revoked by this one
    queued: int = 0  # sample reports this run registered
    statuses: dict[str, int] = field(default_factory=dict)  # every sample report's status -> how many
    walkthrough_stored: bool = False


def seed_demo(engine: Engine, settings: Settings, corpus: Path, walkthrough_pdf: str) -> DemoSeed:
    """Register corpus/*.pdf but `walkthrough_pdf`, revoke the live demo tokens, mint new ones."""
    seed = DemoSeed()
    samples = sorted(p for p in corpus.glob("*.pdf") if p.name != walkthrough_pdf)
    ids: list[int] = []
    with Session(engine) as session:
        before = {r for r in session.exec(select(Report.id))}
    with redirect_stdout(io.StringIO()):  # register_all's one line per file is for `relato ingest`
        register_all(engine, settings, samples, ids)
    seed.queued = len(set(ids) - before)
    walkthrough = corpus / walkthrough_pdf
    digest = hashlib.sha256(walkthrough.read_bytes()).hexdigest() if walkthrough.is_file() else ""
    with Session(write_engine(engine)) as session:
        for report in session.exec(select(Report).where(col(Report.id).in_(ids))):
            seed.statuses[report.status] = seed.statuses.get(report.status, 0) + 1
        seed.walkthrough_stored = bool(digest) and session.exec(select(Report.id).where(Report.sha256 == digest)).first() is not None
        names = [f"demo-{role}" for role in DEMO_ROLES]
        for row in session.exec(select(ApiToken).where(col(ApiToken.name).in_(names), col(ApiToken.revoked_at).is_(None))).all():
            revoke(session, row)
            seed.revoked += 1
        for role in DEMO_ROLES:
            seed.tokens[role] = create_token(session, role=role, name=f"demo-{role}")[1]  # type: ignore[arg-type]
    return seed


STATUS_WORDS = {"queued": "queued", "processing": "being extracted", "done": "extracted", "failed": "failed"}


def demo_lines(seed: DemoSeed, host: str, port: int, walkthrough_pdf: str) -> list[str]:
    base = f"http://{host}:{port}"
    lines = [f"relato is starting on {base}",
             f"  review page: {base}/review   operator page: {base}/operator   API docs: {base}/docs"]
    for role, plaintext in seed.tokens.items():
        lines.append(f"  {role:9} token: {plaintext}")
    if seed.revoked:
        lines.append(f"  the {seed.revoked} demo tokens printed by earlier runs are revoked: use these")
    total = sum(seed.statuses.values())
    states = ", ".join(f"{n} {STATUS_WORDS.get(s, s)}" for s, n in sorted(seed.statuses.items()))
    if seed.queued:
        lines.append(f"  {seed.queued} sample reports queued, extracted in the background: refresh in a few seconds")
    elif total:
        lines.append(f"  the {total} sample reports are already stored ({states})")
    if not seed.walkthrough_stored:
        lines.append(f"  corpus/{walkthrough_pdf} is not queued: the README's walk-through uploads it")
    return lines
