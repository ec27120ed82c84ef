"""PDF -> ExtractResult, top to bottom: the whole flow reads in this one file.

read_pages (pdf.py) [-> read_scanned (ocr.py) for image-only pages]
-> layout_pages (layout.py) -> segment (structure.py)
-> status month (status phrase, else cover/masthead: report_date.py)
-> the document's state, for shared municipality names (facts/publisher_state.py)
-> find_facts per initiative (facts/pipeline.py) -> evidence (evidence.py)
-> a letterhead municipality once, on its first page (letterhead.py)
-> calibrated confidence (calibration.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

from extractor import calibration, contents, headline, letterhead, ocr
from extractor.errors import BadPDF
from extractor.evidence import TextMap, locate
from extractor.facts.base import Candidate, FactContext
from extractor.facts.columns import is_financial_statement
from extractor.facts.pipeline import find_facts, reference_end, status_date
from extractor.facts.publisher_state import publisher_state
from extractor.layout import Line, PageLayout, layout_pages
from extractor.model import Extraction, ExtractResult, Initiative, PeriodValue, Report, Source
from extractor.pdf import read_pages
from extractor.report_date import cover_status, issue_status, reference_status, running_lines
from extractor.structure import InitiativeDraft, segment

log = logging.getLogger(__name__)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _extraction(c: Candidate, tm: TextMap) -> Extraction | None:
    where = locate(tm, c.start, c.end)
    if where is None:
        return None
    page, bbox, lines = where.page, where.bbox, where.lines
    # OCR'd words: the box back on the printed page, ".ocr" named, confidence times OCR's
    words = tm.words_in(c.start, c.end)
    bbox, name, confidence = ocr.adjust(words, bbox, c.extractor, c.confidence)
    if lines is not None:
        lines = [ocr.adjust(words, box, c.extractor, c.confidence)[0] for box in lines]
    warning = None
    if ocr.doubtful_number(words):
        confidence = min(confidence, calibration.LOW_NUMBER_CONFIDENCE)
        warning = calibration.LOW_NUMBER_WARNING
    value = PeriodValue(**c.value) if c.kind == "period" else c.value
    text = " ".join(tm.text[c.start:c.end].split())
    return Extraction(kind=c.kind, text=text, value=value, unit=c.unit, qualifier=c.qualifier,
                      name=c.name, page=page, bbox=bbox, lines=lines, extractor=name,
                      confidence=round(min(max(confidence, 0.0), 1.0), 3), warning=warning)


TITLE_LINES = 8  # the head of the first page, where a report names what it is


def _is_statement(layouts: list[PageLayout]) -> bool:
    """Whether the report's title or running headers name a financial statement, or its
    first page's table headers are a budget's stages."""
    first_page = [ln.text for ln in layouts[0].lines] if layouts else []
    furniture = [ln.text for p in layouts for ln in p.furniture]
    return is_financial_statement("\n".join(first_page[:TITLE_LINES] + furniture), "\n".join(first_page))


def _document_context(layouts: list[PageLayout], status: str | None) -> FactContext:
    """What every finder may know of the whole document (its text left empty): the status
    month, whether it is a financial statement, the state it speaks of, and its headline
    figures (by place on the page; :func:`_facts` turns them into text offsets)."""
    uf = publisher_state("\n".join(ln.text for p in layouts for ln in (*p.furniture, *p.lines)))
    return FactContext(text="", status_date=status, statement=_is_statement(layouts), home_uf=uf,
                       display=headline.headline_figures(layouts))


def _facts(tm: TextMap, title_end: int, doc: FactContext) -> list[Extraction]:
    display = {s: doc.display[headline.key(w)] for s, w in zip(tm.starts, tm.words)
               if headline.key(w) in doc.display} if doc.display else {}
    ctx = replace(doc, text=tm.text, title_end=title_end, display=display)
    out = (_extraction(c, tm) for c in find_facts(ctx))
    return [e for e in out if e is not None]


def _initiative(draft: InitiativeDraft, doc: FactContext) -> Initiative:
    tm = TextMap()
    for ln in draft.title_lines:
        tm.add_line(ln, sep=" ")
    title_end = tm.length
    body_start = None
    for ln in draft.body:
        if body_start is None:
            tm.add_break("\n\n")
            body_start = tm.length
            tm.add_line(ln, sep="")
        else:
            tm.add_line(ln)
    text = tm.text
    return Initiative(title=draft.title, area=draft.area, pages=draft.pages,
                      text=text[body_start:] if body_start is not None else "",
                      extractions=_facts(tm, title_end, doc))


def _report_facts(lines: list[Line], doc: FactContext) -> list[Extraction]:
    tm = TextMap()
    for ln in lines:
        tm.add_line(ln)
    return _facts(tm, 0, doc) if tm.length else []


def extract_pdf(path: str | Path, *, filename: str | None = None,
                calibrate: bool = True) -> ExtractResult:
    """Extract areas, initiatives and facts with their evidence from one PDF.

    Confidences are calibrated (rules/calibration.yaml); ``calibrate=False`` keeps
    the finders' raw ones, which is what ``bench/calibrate.py`` fits the mapping on.
    Each page read and each page OCR'd is told to extractor/progress.py's listeners (the
    service shows the latest line on the report).
    Pages without a text layer that show an image (scans) are read by OCR
    (extractor/ocr.py). Raises :class:`BadPDF` when the file cannot be read, or has
    no text layer and OCR cannot read it (RELATO_OCR=off, Tesseract missing, no text).
    """
    path = Path(path)
    warnings: list[str] = []
    pages = list(read_pages(path, warnings))
    if not pages:
        raise BadPDF("the PDF has no readable pages", code="empty")
    if not any(p.words for p in pages) and any(p.unmapped for p in pages):
        # glyph codes only: the fonts lack a Unicode map
        raise BadPDF("the PDF's text uses fonts without a Unicode map, so its characters "
                     "cannot be read; export the PDF again with embedded Unicode fonts",
                     code="no_text")
    pages = ocr.read_scanned(path, pages, warnings)
    if not any(p.words for p in pages):
        raise BadPDF("the PDF has no text layer and shows no scanned image to read with OCR",
                     code="no_text")
    layouts = layout_pages(pages)
    contents.strip_page_numbers(layouts)
    doc = segment(layouts)
    status, dated = _status(layouts, doc.status_phrase)
    dated = dated + [ln for ln in running_lines(layouts) if ln not in dated]
    context = _document_context(layouts, status)
    initiatives = [_initiative(d, context) for d in doc.initiatives]
    report_facts = letterhead.once(initiatives, _report_facts(doc.report_lines, context), layouts)
    result = ExtractResult(
        source=Source(filename=filename or path.name, sha256=file_sha256(path), pages=len(pages)),
        report=Report(title=doc.title, status_date=status,
                      extractions=_dated_line_facts(dated, context, report_facts, initiatives)
                      + report_facts),
        initiatives=initiatives,
        warnings=warnings,
    )
    return calibration.apply(result) if calibrate else result


def _status(layouts: list[PageLayout], phrase: str | None) -> tuple[str | None, list[Line]]:
    """The report's status month and the lines it was read from (guide, "Status date"):
    a reference period named on the first pages, else the status phrase, else the
    cover or masthead date, else a reference period named further on, else the issue
    or signing date."""
    status, dated = reference_status(layouts, reference_end, first=True)
    if status is None:
        status, dated = status_date(phrase), []
    if status is None:
        status, dated = cover_status(layouts, lambda text: status_date(text, need_month=True))
    if status is None:
        status, dated = reference_status(layouts, reference_end, first=False)
    if status is None:
        status, dated = issue_status(layouts, lambda text: status_date(text, need_month=True))
    return status, dated


def _dated_line_facts(lines: list[Line], context: FactContext, report: list[Extraction],
                      initiatives: list[Initiative]) -> list[Extraction]:
    """The dates of the lines the status month came from (cover, masthead, reference
    period) and of the first page's running header and footer, as facts of the report,
    unless the same date is already a fact on that page or an earlier one (a masthead is
    furniture, and its date counts once, on its first page: a cover that prints it
    in its body is that page; a cover's date may sit after an index the structure
    stage does not read)."""
    first: dict[tuple[str, str], int] = {}
    for e in [*report, *(e for it in initiatives for e in it.extractions)]:
        key = (e.kind, str(e.value))
        first[key] = min(first.get(key, e.page), e.page)
    return [e for e in _report_facts(lines, context)
            if e.kind in ("date", "period") and first.get((e.kind, str(e.value)), e.page + 1) > e.page]
