"""Every bounded string column is bounded alike on SQLite and PostgreSQL, and a title that
normalises past the series bound still links on both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select

import service.storage.models  # noqa: F401  (registers the tables)
from service.editions.linking import SERIES_MAX, series_of
from service.jobs import extracting
from service.storage.bounds import TooLong, bounded_length
from service.storage.config import Settings
from service.storage.db import write_engine
from service.storage.models import Initiative, Report
from tests.pdfmaker import simple_deck
from tests.service.fakes import drain_queue, fake_result
from tests.service.helpers import upload

BOUNDED = sorted((
    (mapper.class_, column.key, column.type.length)
    for mapper in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
    for column in mapper.columns
    if bounded_length(column) is not None
), key=lambda bound: (bound[0].__tablename__, bound[1]))


@pytest.mark.parametrize(("cls", "column", "length"), BOUNDED, ids=[f"{c.__tablename__}.{k}" for c, k, _ in BOUNDED])
def test_a_string_past_its_column_bound_is_refused_before_the_database(engine: Engine, cls: Any, column: str,
                                                                       length: int) -> None:
    """The same TooLong on both databases (SQLite stored it; PostgreSQL failed mid-write)."""
    obj = cls()
    setattr(obj, column, "x" * (length + 1))
    with Session(write_engine(engine)) as session:
        session.add(obj)
        with pytest.raises(TooLong, match=f"{column} holds at most {length} characters"):
            session.flush()


@pytest.mark.parametrize("words", [1, 2, 99, 100, 101, 1000])  # "palavra " * n: 8n - 1 characters
def test_long_titles_link_on_both_databases(client, tokens: dict[str, str], engine: Engine, settings: Settings,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path, words: int) -> None:
    title = " ".join(["PALAVRA"] * (words - 1) + ["FIM"])

    def long_titled(path: Path, *, filename: str | None = None) -> Any:
        result = fake_result(path, filename)
        result.report.title = title
        return result

    monkeypatch.setattr(extracting, "extract", long_titled)
    assert upload(client, tokens["operator"], simple_deck(tmp_path / "a.pdf")).status_code == 202
    drain_queue(engine, settings)
    with Session(engine) as session:
        report = session.exec(select(Report)).one()
        keys = session.exec(select(Initiative.key)).all()
    assert report.status == "done" and report.error is None
    assert report.series is not None and len(report.series) <= SERIES_MAX
    assert keys and all(keys)  # linked


@pytest.mark.parametrize("length", [SERIES_MAX - 1, SERIES_MAX, SERIES_MAX + 1, 10 * SERIES_MAX])
def test_series_names_stay_within_their_bound_and_apart(length: int) -> None:
    first = Report(title="a" * (length - 1) + "b", filename="x", sha256="0", size_bytes=1)
    second = Report(title="a" * (length - 1) + "c", filename="x", sha256="1", size_bytes=1)
    assert len(series_of(first)) <= SERIES_MAX and series_of(first) != series_of(second)
    assert (series_of(first) == first.title) == (length <= SERIES_MAX)
