"""extractor/pdfcontent.py reads content streams into pdfminer's objects by regex.

The pin: on generated streams (quirky tokens, streams split anywhere, 4 KiB read
buffers split anywhere) and on every content stream of every corpus PDF, its
objects are pdfminer's ``PDFContentParser`` objects, same types, same values, same
order, or it declines (None) and pdfminer reads the page. Corpus pages must not
decline, or the speed-up would be lost without a test noticing. That the words
read through it are pdfplumber's is pinned by tests/extractor/test_pdf_words.py.
"""

from __future__ import annotations

import random

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdftypes import PDFStream, list_value, stream_value
from pdfminer.psparser import PSEOF, PSKeyword, PSLiteral

from extractor.pdfcontent import MAX_BYTES, content_objects
from tests.conftest import PROJECT_CORPUS, SHARED_DEV, SHARED_REAL


def _norm(obj: object) -> object:
    """A comparable form keeping types apart (1 is not 1.0 is not True; a name is
    not an operator of the same spelling)."""
    if isinstance(obj, PSKeyword):
        return ("kw", obj.name)
    if isinstance(obj, PSLiteral):
        return ("lit", type(obj.name).__name__, obj.name)
    if isinstance(obj, list):
        return ("list", [_norm(o) for o in obj])
    if isinstance(obj, dict):
        return ("dict", [(k, _norm(v)) for k, v in obj.items()])
    return (type(obj).__name__, obj)


def _pdfminer(datas: list[bytes]) -> list | None:
    """pdfminer's objects, or None where pdfminer raises."""
    streams = [PDFStream({}, d) for d in datas]
    try:
        parser = PDFContentParser(streams)
    except PSEOF:
        return []
    out = []
    while True:
        try:
            out.append(parser.nextobject()[1])
        except PSEOF:
            return [_norm(o) for o in out]
        except Exception:  # noqa: BLE001 - the page would fail in pdfminer: ours must decline
            return None


def _same_or_declined(datas: list[bytes]) -> bool:
    """True when exact, False when declined; fails when the objects differ."""
    ours = content_objects(datas)
    theirs = _pdfminer(datas)
    if ours is None:
        return False
    assert theirs is not None, f"pdfminer fails on {datas!r} but the lexer read it"
    assert [_norm(o) for o in ours] == theirs, datas
    return True


EXACT = [
    pytest.param(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET", id="text"),
    pytest.param(b"(a\\(b\\)c) Tj (\\351t\\343o) Tj (\\0053) Tj (\\7) Tj", id="escapes-octal"),
    pytest.param(b"(x\\q y) Tj (a\\\nb) Tj (c\\\r\nd) Tj (e\\\rf) Tj (t\\t\\n\\r\\b\\f\\\\) Tj", id="escapes-dropped"),
    pytest.param(b"(a (b) c) Tj (a (b (c) d) e) Tj", id="nested-parens"),
    pytest.param(b"<48656c6c6f> Tj <4 8 6> Tj <abc>Tj <>Tj <41>>", id="hex-strings"),
    pytest.param(b"/F#201 1 Tf /A#4 /B# /#41#42 /caf\xc3\xa9 /\xff\xfe /", id="names"),
    pytest.param(b"1 -2 +3 4. .5 -.5 1.2.3 --4 - + . 007 -0 12abc", id="numbers"),
    pytest.param(b"[(a) -120 (b)] TJ [1 [2 3] 4] {5 6} ] } >> [/a << >> ]", id="arrays"),
    pytest.param(b"/Span <</ActualText (x) /MCID 3 /K [1 2]>> BDC EMC <</A 1 /B /C>> ", id="dicts"),
    pytest.param(b"% a comment\r1 0 0 1 0 0 cm %another\n q Q T* ' \" d0 d1 true false", id="ops"),
    pytest.param(b"\x00 BT\x00 ET \x80 \xff re ) W n", id="odd-bytes"),
    pytest.param(b"", id="empty"),
]


@pytest.mark.parametrize("data", EXACT)
def test_lexer_gives_pdfminers_objects(data: bytes) -> None:
    assert _same_or_declined([data])


DECLINED = [
    pytest.param([b"q 1 0 0 1 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q"], id="inline-image"),
    pytest.param([b"(a (b (c (d) c) b) a) Tj"], id="strings-nested-four-deep"),
    pytest.param([b"(unterminated Tj"], id="unterminated-string"),
    pytest.param([b"<414"], id="unterminated-hex"),
    pytest.param([b"(\\777) Tj"], id="octal-over-255"),
    pytest.param([b"<< /A 1 /B >>"], id="odd-dict"),
    pytest.param([b"[1 2"], id="open-array"),
    pytest.param([b"q /F1 12 Tf <", b"41> Tj Q"], id="hex-across-streams"),
    pytest.param([b"1 2 /", b"Name"], id="name-across-streams"),
    pytest.param([b"/A#4", b"1 Tf"], id="name-escape-across-streams"),
    pytest.param([b"<</A 1>", b"> BDC"], id="dict-end-across-streams"),
    pytest.param([b"0 0 m 1 1 l S\n" * (MAX_BYTES // 14 + 1)], id="more-than-max-bytes"),
]


@pytest.mark.parametrize("datas", DECLINED)
def test_lexer_declines_what_it_would_not_read_exactly(datas: list[bytes]) -> None:
    assert content_objects(datas) is None


@pytest.mark.parametrize("datas", [
    pytest.param([b"q 1 0 0 1 0 0 cm", b"Q"], id="keyword-ends-stream"),
    pytest.param([b"[(a) 1", b"(b)] TJ"], id="array-across-streams"),
    pytest.param([b"/F1 12 Tf /X", b" Do"], id="name-ends-stream"),
    pytest.param([b"(a)", b"Tj 3.", b"5 Tc"], id="number-ends-stream"),
    pytest.param([b"%comment", b"Q"], id="comment-ends-stream"),
])
def test_tokens_end_where_a_stream_ends(datas: list[bytes]) -> None:
    assert _same_or_declined(datas)


# tokens a content stream is made of, quirks included
FRAGMENTS = [b"BT", b"ET", b"q", b"Q", b"/F1", b"/A#41", b"/B#4", b"12", b"-3.5", b".25", b"Tf", b"Td",
             b"TJ", b"Tj", b"(abc)", b"(a\\(b)", b"(\\351)", b"(\\12)", b"(x\\\r\ny)", b"(a(b)c)",
             b"(p\\\\)", b"<414243>", b"<41 4>", b"[1 (a) -2.5]", b"<</MCID 1 /K [0]>>", b"/MCID",
             b"BDC", b"EMC", b"%c\n", b"\x00", b"'", b"\"", b"true", b"1.2.3", b"--1", b"{1 2}", b"\xe9"]
# and what breaks one: unbalanced brackets, strings and escapes cut open
BROKEN = [b"[", b"]", b"<<", b">>", b"{", b"}", b"(\\", b"\\\r\n)", b")", b">", b"<", b"(", b"\\"]


def _soup(rng: random.Random, n: int, broken: float) -> bytes:
    parts = []
    for _ in range(n):
        parts.append(rng.choice(BROKEN if rng.random() < broken else FRAGMENTS))
        parts.append(rng.choice([b" ", b"\n", b"\r\n", b"", b"  ", b"\t"]))
    return b"".join(parts)


def _streams(rng: random.Random, broken: float) -> list[bytes]:
    data = _soup(rng, rng.choice([20, 200, 2500]), broken)
    cuts = sorted(rng.sample(range(len(data) + 1), rng.choice([0, 1, 2])))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


@pytest.mark.parametrize("broken", [0.0, 0.01, 0.2])
def test_generated_streams_read_as_pdfminer_reads_them(broken: float) -> None:
    """Random token soup, long enough to cross pdfminer's 4 KiB read buffers, split
    into streams at random points: exact or declined, never different; and streams
    of whole tokens are mostly read (declined only where a split cuts a token)."""
    rng = random.Random(int(broken * 1000))
    exact = sum(_same_or_declined(_streams(rng, broken)) for _ in range(150))
    if not broken:
        assert exact >= 100


@pytest.mark.parametrize("shift", range(-3, 3))
def test_pdfminers_read_buffer_edge_is_followed(shift: int) -> None:
    """pdfminer skips a "\\\\" CR LF in a string only when all three bytes are in one
    of its 4 KiB buffers; an escape split across buffers otherwise reads as whole."""
    for tail in (b"\\\r\n", b"\\051", b"\\(", b"#41 "):
        pad = 4096 + shift - 1
        data = b"(" + b"a" * (pad - 1) + tail + b"b) Tj" if tail != b"#41 " else b"/" + b"a" * pad + tail
        assert _same_or_declined([data]) or tail == b"\\\r\n"


def _corpus_pdfs() -> list:
    pdfs = sorted(PROJECT_CORPUS.glob("*.pdf"))
    for extra in (SHARED_DEV, SHARED_REAL):
        if extra.is_dir():
            pdfs += sorted(extra.glob("*.pdf"))
    return pdfs


@pytest.mark.parametrize("pdf", _corpus_pdfs(), ids=lambda p: p.name)
def test_corpus_content_streams_read_as_pdfminer_reads_them(pdf) -> None:
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            datas = [stream_value(s).get_data() for s in list_value(page.page_obj.contents)]
            assert _same_or_declined(datas), f"{pdf.name} page {page.page_number}: declined"
            page.close()
