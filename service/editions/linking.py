"""Initiative identity across the editions of a report series.

A series is the set of reports with the same normalised title (`series_of`), unless
someone set `report.series` explicitly through the API. Linking always recomputes
the whole series, walking its editions in status-date order, so the result does
not depend on the order in which PDFs arrived (October before June is fine).

Each initiative of an edition is matched with the latest earlier occurrence of
every chain (so one missing edition does not break a chain) by title similarity
(rapidfuzz token_sort_ratio, above `min_title_similarity` in rules/linking.yaml);
area number and shared facts only break ties. A reviewer's merge or split pins
initiatives to a key (`key_pinned`); pinned initiatives are never re-matched, and
later editions follow them because they match their latest occurrence.

Keys are stable: a chain keeps a key its members already carry, so adding an
older edition later does not rename anything; only new chains get a new key (a
slug of their first title).

A report with the status date of an earlier upload of its series is a re-issue of
that edition (service/editions/reissues.py): it is not an edition of the chain; its
initiatives take the keys of the edition's initiatives they match.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz
from sqlalchemy import case, func, text
from sqlmodel import Session, col, select

from extractor import rulebook
from service.editions.factdiff import signature
from service.editions.reissues import split_editions
from service.storage.db import is_sqlite
from service.storage.models import Area, Extraction, Initiative, Report

log = logging.getLogger("relato.linking")
PG_LINK_LOCK = 7_264_003
KEY_MAX = 80


class LinkingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_title_similarity: float
    same_area: float = 0.0
    other_area: float = 0.0
    shared_facts: float = 0.0
    title_stopwords: list[str] = []
    not_cumulative_units: list[str] = []
    not_cumulative_qualifiers: list[str] = []


@lru_cache(maxsize=4)
def _rules_for(_dir: str) -> LinkingRules:
    return rulebook.load("linking.yaml", LinkingRules)


def linking_rules() -> LinkingRules:
    """rules/linking.yaml (of RELATO_RULES_DIR when set), validated."""
    return _rules_for(str(rulebook.rules_dir()))


def plain(title: str) -> str:
    """Lower case, no accents, words only: 'AMPLIAR O PIX' -> 'ampliar o pix'."""
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", stripped))


SERIES_MAX = 500  # Report.series' bound, the same on both databases (PostgreSQL refused a longer one)


def series_of(report: Report) -> str:
    """The series a report belongs to: its normalised title (or the report alone). A title
    that normalises past SERIES_MAX keeps its start and ends in a digest of the whole, so
    two long titles that differ only at their ends are still two series."""
    series = plain(report.title or "") or f"report-{report.id}"
    if len(series) <= SERIES_MAX:
        return series
    digest = hashlib.sha256(series.encode()).hexdigest()[:16]
    return f"{series[:SERIES_MAX - len(digest) - 1].rstrip()} {digest}"


def slug(title: str) -> str:
    words, out = plain(title).replace(".", "-").split(), ""
    for word in words:
        if len(out) + len(word) + 1 > KEY_MAX:
            break
        out = f"{out}-{word}" if out else word
    return out or "initiative"


@dataclass
class _Node:
    initiative: Initiative
    edition: int
    words: str
    area: int | None
    facts: frozenset[tuple[str, str, str]]


@dataclass
class _Chain:
    nodes: list[_Node] = field(default_factory=list)
    pinned: str | None = None


def title_similarity(a: str, b: str) -> float:
    return float(fuzz.token_sort_ratio(a, b))


def _score(node: _Node, last: _Node, rules: LinkingRules) -> float | None:
    similarity = title_similarity(node.words, last.words)
    if similarity < rules.min_title_similarity:
        return None
    if node.area is not None and last.area is not None:
        similarity += rules.same_area if node.area == last.area else -rules.other_area
    smaller = min(len(node.facts), len(last.facts))
    if smaller:
        similarity += rules.shared_facts * len(node.facts & last.facts) / smaller
    return similarity


def edition_sort_key(report: Report) -> tuple[bool, str, int]:
    return report.status_date is None, report.status_date or "", report.id or 0


def series_editions(session: Session, series: str) -> tuple[list[Report], dict[int, Report]]:
    """The done reports of a series: its editions, oldest status date first, and its
    re-issues (report id -> the edition it repeats)."""
    reports = session.exec(select(Report).where(col(Report.series) == series, col(Report.status) == "done")).all()
    editions, reissues = split_editions(reports)
    return sorted(editions, key=edition_sort_key), reissues


def series_reports(session: Session, series: str) -> list[Report]:
    """The editions of a series (re-issues left out), oldest status date first."""
    return series_editions(session, series)[0]


def _nodes(session: Session, reports: list[Report], rules: LinkingRules) -> list[list[_Node]]:
    ids = [r.id for r in reports]
    rows = session.exec(
        select(Initiative, Area.number)
        .join(Area, col(Area.id) == col(Initiative.area_id), isouter=True)
        .where(col(Initiative.report_id).in_(ids)).order_by(col(Initiative.position))
    ).all()
    facts: dict[int, set[tuple[str, str, str]]] = {}
    for ext in session.exec(select(Extraction).where(
        col(Extraction.report_id).in_(ids), col(Extraction.status) != "rejected", col(Extraction.orphaned).is_(False)
    )):
        if ext.initiative_id is not None:
            facts.setdefault(ext.initiative_id, set()).add(signature(ext))
    stop = {plain(w) for w in rules.title_stopwords}
    index = {rid: n for n, rid in enumerate(ids)}
    editions: list[list[_Node]] = [[] for _ in reports]
    gone = gone_initiatives(session, ids)
    for initiative, area_number in rows:
        if initiative.id in gone:  # not found by a re-extraction: out of the series
            if initiative.key is not None:
                initiative.key, initiative.key_pinned = None, False
                session.add(initiative)
            continue
        words = " ".join(w for w in plain(initiative.title).split() if w not in stop)
        edition = index[initiative.report_id]
        editions[edition].append(_Node(initiative, edition, words, area_number,
                                       frozenset(facts.get(initiative.id or 0, ()))))
    return editions


def gone_initiatives(session: Session, report_ids: list[int | None]) -> set[int]:
    """Initiatives a re-extraction no longer found: they have facts, and all are orphaned."""
    rows = session.exec(
        select(Extraction.initiative_id, func.count(), func.sum(case((col(Extraction.orphaned), 1), else_=0)))
        .where(col(Extraction.report_id).in_(report_ids), col(Extraction.initiative_id).is_not(None))
        .group_by(col(Extraction.initiative_id))
    ).all()
    return {initiative_id for initiative_id, total, orphaned in rows if total and total == orphaned}


def _link_edition(nodes: list[_Node], chains: list[_Chain], rules: LinkingRules) -> None:
    """Append each node of one edition to a chain (pins first, then best scores)."""
    used: set[int] = set()
    free: list[_Node] = []
    for node in nodes:
        if not node.initiative.key_pinned:
            free.append(node)
            continue
        found = next((i for i, c in enumerate(chains) if c.pinned == node.initiative.key and i not in used), None)
        if found is None:
            chains.append(_Chain(pinned=node.initiative.key))
            found = len(chains) - 1
        chains[found].nodes.append(node)
        used.add(found)
    options = []
    for node in free:
        for i, chain in enumerate(chains):
            if i in used:
                continue
            score = _score(node, chain.nodes[-1], rules) if chain.nodes else None
            if score is not None:
                options.append((-score, -chain.nodes[-1].edition, node.initiative.position, i, node))
    placed: set[int] = set()
    for _, _, _, i, node in sorted(options, key=lambda o: o[:4]):
        if i in used or id(node) in placed:
            continue
        chains[i].nodes.append(node)
        used.add(i)
        placed.add(id(node))
    for node in free:
        if id(node) not in placed:
            chains.append(_Chain(nodes=[node]))


def _keys_elsewhere(session: Session, series: str) -> set[str]:
    rows = session.exec(
        select(Initiative.key).join(Report, col(Report.id) == col(Initiative.report_id))
        .where(col(Initiative.key).is_not(None), (col(Report.series) != series) | col(Report.series).is_(None))
        .distinct()
    ).all()
    return {k for k in rows if k}


def fresh_key(title: str, taken: set[str]) -> str:
    base = slug(title)
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base[: KEY_MAX - 4]}-{n}"
    return key


def _assign_keys(session: Session, series: str, chains: list[_Chain]) -> None:
    taken = _keys_elsewhere(session, series) | {c.pinned for c in chains if c.pinned}
    for chain in chains:
        key = chain.pinned
        if key is None:
            held = Counter(n.initiative.key for n in chain.nodes if n.initiative.key and n.initiative.key not in taken)
            first = {k: i for i, k in reversed(list(enumerate(n.initiative.key for n in chain.nodes)))}
            key = (max(held, key=lambda k: (held[k], -first[k])) if held
                   else fresh_key(chain.nodes[0].initiative.title, taken))
            taken.add(key)
        for node in chain.nodes:
            if node.initiative.key != key:
                node.initiative.key = key
                session.add(node.initiative)


def lock_linking(session: Session) -> None:
    """Serialise relinking on PostgreSQL (keys are unique across series); SQLite's writers
    are serialised already."""
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        session.exec(text("SELECT pg_advisory_xact_lock(:k)"), params={"k": PG_LINK_LOCK})  # type: ignore[call-overload]


def relink_series(session: Session, series: str) -> None:
    """Recompute every initiative key of `series` inside the caller's write transaction."""
    lock_linking(session)
    rules = linking_rules()
    reports, reissues = series_editions(session, series)
    chains: list[_Chain] = []
    for nodes in _nodes(session, reports, rules):
        _link_edition(nodes, chains, rules)
    _assign_keys(session, series, chains)
    for reissue_id, edition in reissues.items():
        _link_reissue(session, edition, reissue_id, rules)
    session.flush()


def _link_reissue(session: Session, edition: Report, reissue_id: int, rules: LinkingRules) -> None:
    """A re-issue's initiatives take the key of the edition's initiative each matches
    (none: no key); they never pin, so they never hold a chain of their own."""
    reissue = session.get(Report, reissue_id)
    if reissue is None:
        return
    originals, copies = _nodes(session, [edition, reissue], rules)
    for node in copies:
        node.initiative.key_pinned = False
    chains = [_Chain(nodes=[node]) for node in originals]
    _link_edition(copies, chains, rules)
    matched = {id(c.nodes[1].initiative): c.nodes[0].initiative.key for c in chains if len(c.nodes) > 1}
    for node in copies:
        node.initiative.key = matched.get(id(node.initiative))
        session.add(node.initiative)


def link_report(session: Session, report: Report) -> None:
    """Give a report its series (unless set) and relink that series; the caller commits."""
    if report.series is None:
        report.series = series_of(report)
        session.add(report)
        session.flush()
    relink_series(session, report.series)


def link_quietly(session: Session, report: Report) -> None:
    """`link_report` in a savepoint: a linking failure leaves keys unset (the next edition
    or `relato reextract` relinks) but never loses the extraction being stored."""
    try:
        with session.begin_nested():
            link_report(session, report)
    except Exception:
        log.exception("linking report %s into its series failed; its initiatives have no key yet", report.id)
