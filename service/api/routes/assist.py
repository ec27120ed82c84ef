"""Helpers for the review page's editors: read a typed value, find a municipality, show the source.

The page never parses Portuguese itself: "nov/24", "1,5 milhão" or "Teofilo Otoni"
go to `POST /api/v1/parse`, which runs the extractor's own finders, so a reviewer's
correction is read by exactly the rules that read the report. The municipality
picker searches the same gazetteer the extractor resolves names with.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlmodel import col, select

from extractor.facts.base import Candidate, FactContext
from extractor.facts.gazetteer import HOME_UF
from extractor.facts.pipeline import find_facts
from extractor.model import FactKind
from service.api.deps import API_ERRORS, ReviewerDep, SessionDep
from service.api.routes.source_text import locate, sentence_around
from service.review import municipalities as places
from service.review.values import InvalidValue, check_value
from service.storage.inputs import Count, Id, InputModel, Text
from service.storage.models import Extraction, Initiative, Page
from service.storage.schemas import ErrorOut

router = APIRouter(prefix="/api/v1", tags=["review assistance"], responses=API_ERRORS)

ISO = r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"
ISO_DATE = re.compile(rf"^{ISO}$")
ISO_PERIOD = re.compile(rf"^({ISO})\s*(?:a|até|–|—|/|\s-\s|\.\.)\s*({ISO})$", re.IGNORECASE)
# A bare number names no kind, so the finders would pass it by; these frames give it one.
FRAMES: dict[str, str] = {"count": "{} unidades", "percentage": "{}%", "money": "R$ {}"}
EXAMPLES: dict[str, str] = {
    "date": "'nov/24', '06/11/2024', 'novembro de 2024' or '2024-11'",
    "period": "'dez/23 a out/25', '1º bimestre de 2025' or '2024-01 a 2024-03'",
    "count": "'255.766', '1,5 milhão' or 'mais de 5.000 links'",
    "percentage": "'68%' or '28,79'",
    "money": "'R$ 1,2 milhão' or '38,6 milhões'",
    "municipality": "'Teófilo Otoni' or 'teofilo otoni'",
}


class ParseIn(InputModel):
    kind: FactKind
    text: str = Field(min_length=1, max_length=500, description="what the reviewer typed, e.g. 'nov/24'")
    status_date: str | None = Field(
        None, pattern=r"^[0-9]{4}-[0-9]{2}$",
        description="the report's status month; a month written without a year takes its year",
    )


class ParseOut(BaseModel):
    kind: FactKind
    value: Any = Field(description="normalised as EXTRACTION-GUIDE.md says; valid as a `correct` review's value")
    unit: str | None = Field(None, description="counts: the unit the text names, if it names one")
    qualifier: str | None = Field(None, description="exact, at_least, approx, target or at_most, when the text says")
    name: str | None = Field(None, description="municipalities: the official name")


class MunicipalityOut(BaseModel):
    code: str = Field(description="7-digit IBGE code")
    name: str
    uf: str = Field(description="the state, e.g. MG")
    score: float = Field(description="0-100, how well the name matches the query")
    exact: bool = Field(False, description="the query is this municipality's name or a known alias "
                                           "(accents and case aside): the only kind of match Enter may take")


class MunicipalitiesOut(BaseModel):
    items: list[MunicipalityOut]


class SourceOut(BaseModel):
    extraction_id: int
    initiative_id: int | None
    sentence: str | None = Field(description="the sentence (or table row) the fact was read from; null if not found")
    mark_start: int | None = Field(description="offset of the fact's text in `sentence`")
    mark_end: int | None
    page_width: float | None = Field(description="the fact's page size in PDF points, to scale `bbox` onto the image")
    page_height: float | None


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _first(kind: str, text: str, status_date: str | None) -> Candidate | None:
    return next((c for c in find_facts(FactContext(text=text, status_date=status_date)) if c.kind == kind), None)


def _parse_municipality(text: str) -> ParseOut | None:
    """Only the one municipality the text names exactly (folded, or an alias): a fuzzy best
    match is a guess, and a guess must be picked from the list by the reviewer. The report
    rules' own reading (MG names and the spellings they know) comes first, but only when the
    name it found is the whole text: "Santa Vitória do Palma" is not Santa Vitória (MG)."""
    found = _first("municipality", text, None)
    if found is not None and (found.start, found.end) == (0, len(text)):
        return ParseOut(kind="municipality", value=found.value, name=found.name)
    place = places.exact(text)
    return ParseOut(kind="municipality", value=place.code, name=place.name) if place else None


def _parse_dates(kind: str, text: str, status_date: str | None) -> ParseOut | None:
    if kind == "date" and ISO_DATE.match(text):
        return ParseOut(kind="date", value=text)
    iso_period = ISO_PERIOD.match(text)
    if kind == "period" and iso_period:
        return ParseOut(kind="period", value={"start": iso_period.group(1), "end": iso_period.group(2)})
    found = _first(kind, text, status_date)
    if found is None or (kind == "period" and _year_guessed(text, found.value)):
        return None
    return ParseOut(kind=kind, value=found.value)  # type: ignore[arg-type]


_YEARS = re.compile(r"\b(?:19|20)[0-9]{2}\b|/[0-9]{2}\b")


def _year_guessed(text: str, period: dict[str, str]) -> bool:
    """A period whose end comes before its start in the year the text names ("outubro a agosto
    de 2025") was read as spanning a year change; it is a mistake more often than not, so the
    reviewer is asked to write both years rather than have 2024-10 guessed."""
    return len(set(_YEARS.findall(text))) == 1 and period["start"][:4] != period["end"][:4]


def _parse_number(kind: str, text: str, status_date: str | None) -> ParseOut | None:
    found = _first(kind, text, status_date)
    framed = found is None
    if framed:
        found = _first(kind, FRAMES[kind].format(text), status_date)
    if found is None:
        return None
    unit = None if framed or kind != "count" else found.unit
    qualifier = found.qualifier if kind == "count" and not framed else None
    return ParseOut(kind=kind, value=_plain(found.value), unit=unit, qualifier=qualifier)  # type: ignore[arg-type]


def parse_value(kind: str, text: str, status_date: str | None = None) -> ParseOut | None:
    """The value of `kind` that `text` spells, read by the extractor's finders; None if none."""
    text = " ".join(text.split())
    if kind == "municipality":
        parsed = _parse_municipality(text)
    elif kind in ("date", "period"):
        parsed = _parse_dates(kind, text, status_date)
    else:
        parsed = _parse_number(kind, text, status_date)
    if parsed is None:
        return None
    try:
        check_value(kind, parsed.value)
    except InvalidValue:
        return None
    return parsed


@router.post("/parse", response_model=ParseOut, responses={422: {"model": ErrorOut}},
             summary="Read a value typed by a reviewer ('nov/24', '1,5 milhão', 'teofilo otoni')")
def parse(body: ParseIn, _: ReviewerDep) -> ParseOut:
    """The same finders that read reports read the text; the answer's `value` can be sent
    unchanged as the `value` of a `correct` review."""
    parsed = parse_value(body.kind, body.text, body.status_date)
    if parsed is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, _unreadable(body))
    return parsed


def _unreadable(body: ParseIn) -> str:
    return f"could not read a {body.kind} in {body.text!r}; write it as in the reports, e.g. {EXAMPLES[body.kind]}"


class ParseCheckOut(BaseModel):
    readable: bool
    parsed: ParseOut | None = Field(description="what POST /parse would answer; null when the text is unreadable")
    detail: str | None = Field(description="why the text could not be read; null when it could")


@router.post("/parse/check", response_model=ParseCheckOut,
             summary="Like /parse, but an unreadable text is a normal answer (for editors asking as you type)")
def parse_check(body: ParseIn, _: ReviewerDep) -> ParseCheckOut:
    """`readable: false` with the reason instead of a 422, so an editor that checks every
    keystroke fills no error log; send the final value to /parse or straight to the review."""
    parsed = parse_value(body.kind, body.text, body.status_date)
    return ParseCheckOut(readable=parsed is not None, parsed=parsed, detail=None if parsed else _unreadable(body))


def search_municipalities(query: str, limit: int, uf: str = HOME_UF) -> list[MunicipalityOut]:
    """Exact names first, then the report's state, then the fuzzier (service/review/municipalities.py)."""
    return [MunicipalityOut(code=f.place.code, name=f.place.name, uf=f.place.uf, score=f.score, exact=f.exact)
            for f in places.search(query, limit, uf)]


@router.get("/municipalities", response_model=MunicipalitiesOut,
            summary="Brazil's municipalities by fuzzy name (or IBGE code prefix), the report's state first")
def municipalities(
    _: ReviewerDep,
    q: Annotated[Text, Query(max_length=200, description="a name as written: case, accents, typos are forgiven")] = "",
    limit: Annotated[Count, Query(le=100)] = 10,
    uf: Annotated[str, Query(pattern=r"^[A-Z]{2}$", description="the report's state, ranked first")] = HOME_UF,
) -> MunicipalitiesOut:
    return MunicipalitiesOut(items=search_municipalities(q, limit, uf))


@router.get("/extractions/{extraction_id}/source", response_model=SourceOut, responses={404: {"model": ErrorOut}},
            summary="The sentence a fact was read from, with the fact's text located in it")
def source(extraction_id: Id, _: ReviewerDep, session: SessionDep) -> SourceOut:
    ext = session.get(Extraction, extraction_id)
    if ext is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"extraction {extraction_id} does not exist")
    page = session.exec(select(Page).where(col(Page.report_id) == ext.report_id, col(Page.number) == ext.page)).first()
    sentence, mark = None, None
    initiative = session.get(Initiative, ext.initiative_id) if ext.initiative_id is not None else None
    if initiative is not None:
        same_text = session.exec(
            select(Extraction.id).where(col(Extraction.initiative_id) == initiative.id, col(Extraction.text) == ext.text)
            .order_by(col(Extraction.position))
        ).all()
        full = f"{initiative.title}\n\n{initiative.text}"
        span = locate(full, ext.text, list(same_text).index(ext.id))
        if span is not None:
            sentence, mark = sentence_around(full, *span)
    return SourceOut(
        extraction_id=extraction_id, initiative_id=ext.initiative_id, sentence=sentence,
        mark_start=mark[0] if mark else None, mark_end=mark[1] if mark else None,
        page_width=page.width if page else None, page_height=page.height if page else None,
    )
