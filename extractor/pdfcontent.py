"""Content streams read by one regex pass instead of pdfminer's char-by-char parser.

pdfminer's ``PDFContentParser`` tokenizes a page's content streams in pure Python,
one state-machine call per token piece, and its interpreter looks every operator's
method up by building its name; on a text-heavy page that is most of the reading
time that is not char boxes. :func:`content_objects` tokenizes each stream with one
compiled regex into the same objects (numbers, strings, names as interned
``PSLiteral``, operators as interned ``PSKeyword``, arrays, dicts) in the same order,
and :class:`Interpreter` runs them with pdfminer's own operator methods.

Equal, not similar: the objects follow pdfminer's rules including its quirks (an
unknown escape drops its char, an odd hex digit is a byte of its own, ``1.2.3`` is
two numbers, a ``\\`` then CR LF split by its 4 KiB read buffer). Whatever this lexer
does not reproduce exactly returns None and the page is read by pdfminer's parser,
unchanged: inline images, strings nested deeper than three, an unterminated token,
a token or open array running on into the next stream, a dict with an odd number
of entries (pdfminer raises), pdfminer's strict mode, a page of more than
``MAX_BYTES`` of content (pdfminer's parser streams; this lexer holds a page's tokens). The pin is
tests/extractor/test_pdf_content.py: the same objects as pdfminer on generated
streams and on every stream of the corpus PDFs, and the same words.

Part of the reading layer with extractor/pdf.py and extractor/pdfstreams.py: the
modules that touch pdfminer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pdfminer import settings
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import KWD, LIT, PSKeyword, keyword_name, literal_name

# Past this many decoded bytes in a page's streams, pdfminer's parser reads them: it
# streams, while this lexer holds every token of the page at once (a 64 MB stream of
# path numbers, as pdfstreams allows, would be millions of objects).
MAX_BYTES = 4 * 1024 * 1024
# pdfminer's PSBaseParser reads a stream 4 KiB at a time (BUFSIZ); one of its escape
# rules looks one byte past the buffer and so depends on where buffers end.
_BUFSIZ = 4096
# pdfminer's token classes (psparser.END_KEYWORD and END_LITERAL are the same set)
_WORD = rb"[^#/%\[\]()<>{}\s]"
# a string's body without unescaped parens, in the unrolled form (linear, no backtracking)
_FLAT = rb"[^()\\]*(?:\\[\s\S][^()\\]*)*"


def _nested(depth: int) -> bytes:
    inner = _FLAT
    for _ in range(depth):
        inner = _FLAT + rb"(?:\(" + inner + rb"\)" + _FLAT + rb")*"
    return inner


_TOKEN = re.compile(
    rb"[\s\x00]*(?:"
    rb"(?P<kw>[A-Za-z]" + _WORD + rb"*)"
    rb"|(?P<num>[-+0-9][0-9]*(?:\.[0-9]*)?)"
    rb"|(?P<flt>\.[0-9]*)"
    rb"|(?P<lit>/(?:" + _WORD + rb"|#[0-9a-fA-F]{0,2})*)"
    rb"|\((?P<str>" + _nested(2) + rb")\)"
    rb"|(?P<open><<)"
    rb"|(?P<close>>>)"
    rb"|<(?P<hex>[0-9a-fA-F\s]*)"
    rb"|(?P<gt>>)"
    rb"|(?P<comment>%[^\r\n]*)"
    rb"|(?P<paren>\()"
    rb"|(?P<byte>[^\s\x00]))")
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n)|([\s\S]))")
_ESCAPED = {ord(k): bytes((v,)) for k, v in
            {"b": 8, "t": 9, "n": 10, "f": 12, "r": 13, "(": 40, ")": 41, "\\": 92}.items()}
_NAME_HEX = re.compile(rb"#([0-9a-fA-F]{0,2})")
_PENDING_HEX = re.compile(rb"#[0-9a-fA-F]{0,2}$")
_SPACE = re.compile(rb"\s")
_HEX_PAIR = re.compile(rb"[0-9a-fA-F]{2}|.")
_INLINE = (KWD(b"BI"), KWD(b"ID"))
_ARRAY_BEGIN, _ARRAY_END = KWD(b"["), KWD(b"]")
_PROC_BEGIN, _PROC_END = KWD(b"{"), KWD(b"}")
_DICT_BEGIN, _DICT_END = KWD(b"<<"), KWD(b">>")
_TRUE, _FALSE = b"true", b"false"


class _Inexact(Exception):
    """What this lexer does not reproduce exactly: pdfminer's parser reads the page."""


def _unescape(m: re.Match[bytes]) -> bytes:
    octal, crlf, char = m.groups()
    if octal is not None:
        code = int(octal, 8)
        if code >= 256:  # pdfminer asserts, and the page fails there
            raise _Inexact
        return bytes((code,))
    if crlf is not None:
        return b""
    return _ESCAPED.get(char[0], b"")  # pdfminer drops an unknown escape and its char


def _name_byte(m: re.Match[bytes]) -> bytes:
    digits = m.group(1)
    return bytes((int(digits, 16),)) if digits else b""


def _hex_byte(m: re.Match[bytes]) -> bytes:
    return bytes((int(m.group(), 16),))


def _tokens(data: bytes, last: bool) -> list:
    """One stream's tokens as pdfminer's PSBaseParser makes them (``[``, ``]``, ``{``,
    ``}``, ``<<`` and ``>>`` as keywords). ``last``: the stream is the page's last, so a
    keyword, number or name may end the data (pdfminer ends it at the stream's end)."""
    out: list = []
    append = out.append
    pos, end = 0, len(data)
    if b"\\\r\n" in data:  # pdfminer skips "\\\r\n" in a string only inside one buffer
        for p in range(_BUFSIZ, end, _BUFSIZ):
            if data[p - 2:p + 1] == b"\\\r\n":
                raise _Inexact
    for m in _TOKEN.finditer(data):
        if m.start() != pos:
            raise _Inexact
        pos = m.end()
        kind = m.lastgroup
        if kind == "kw":
            tok = m.group(kind)
            append(True if tok == _TRUE else False if tok == _FALSE else KWD(tok))
        elif kind == "num":
            tok = m.group(kind)
            try:
                append(float(tok) if b"." in tok else int(tok))
            except ValueError:  # a sign alone, as pdfminer: no token
                pass
        elif kind == "str":
            tok = m.group(kind)
            append(_ESCAPE.sub(_unescape, tok) if b"\\" in tok else tok)
        elif kind == "lit":
            tok = m.group(kind)[1:]
            if b"#" in tok:
                if pos == end and _PENDING_HEX.search(tok):
                    raise _Inexact  # pdfminer carries the escape into the next stream, or drops it
                tok = _NAME_HEX.sub(_name_byte, tok)
            elif pos == end and not last and not tok:
                raise _Inexact  # a lone "/" at a stream's end runs on into the next
            try:
                append(LIT(str(tok, "utf-8")))
            except UnicodeDecodeError:
                append(LIT(tok))
        elif kind == "byte":
            append(KWD(m.group(kind)))
        elif kind == "flt":
            try:
                append(float(m.group(kind)))
            except ValueError:  # "." alone
                pass
        elif kind == "open":
            append(_DICT_BEGIN)
        elif kind == "close":
            append(_DICT_END)
        elif kind == "hex":
            if pos == end:
                raise _Inexact  # unterminated
            append(_HEX_PAIR.sub(_hex_byte, _SPACE.sub(b"", m.group(kind))))
        elif kind == "gt":
            if pos == end and not last:
                raise _Inexact  # pdfminer looks for a second ">" in the next stream
        elif kind == "comment":
            pass
        else:  # "paren": a string nested too deep or unterminated
            raise _Inexact
    if pos != end and data[pos:].strip(b" \t\n\r\f\v\x00"):
        raise _Inexact
    return out


def _objects(tokens: list) -> list:
    """Tokens into operands and operators, arrays and dicts built, as pdfminer's
    PSStackParser and PDFContentParser do it (a stray closing bracket is ignored)."""
    out: list = []
    context: list[tuple[str | None, list]] = []
    curtype: str | None = None
    stack = out
    for tok in tokens:
        if tok.__class__ is PSKeyword:
            if tok is _ARRAY_BEGIN or tok is _PROC_BEGIN or tok is _DICT_BEGIN:
                context.append((curtype, stack))
                curtype = "a" if tok is _ARRAY_BEGIN else "p" if tok is _PROC_BEGIN else "d"
                stack = []
                continue
            if tok is _ARRAY_END or tok is _PROC_END or tok is _DICT_END:
                want = "a" if tok is _ARRAY_END else "p" if tok is _PROC_END else "d"
                if curtype != want:
                    continue  # pdfminer: PSTypeError, ignored unless strict
                objs = stack
                curtype, stack = context.pop()
                if want == "d":
                    if len(objs) % 2:
                        raise _Inexact  # pdfminer raises PSSyntaxError
                    stack.append({literal_name(objs[i]): objs[i + 1] for i in range(0, len(objs), 2)
                                  if objs[i + 1] is not None})
                else:
                    stack.append(objs)
                continue
            if tok in _INLINE:
                raise _Inexact
        stack.append(tok)
    if context:
        raise _Inexact  # an array or dict left open
    return out


def content_objects(streams: Sequence[bytes]) -> list | None:
    """The operands and operators pdfminer's ``PDFContentParser`` reads from these
    decoded content streams, in order; None where this lexer would not be exact."""
    if settings.STRICT or sum(len(d) for d in streams) > MAX_BYTES:
        return None
    try:
        tokens: list = []
        for i, data in enumerate(streams):
            tokens += _tokens(data, last=i == len(streams) - 1)
        return _objects(tokens)
    except _Inexact:
        return None


class Interpreter(PDFPageInterpreter):
    """pdfminer's page interpreter reading content streams with :func:`content_objects`,
    and each operator's method found once per interpreter, not once per use; falls back
    to pdfminer's own ``execute`` where the lexer is not exact."""

    def execute(self, streams: Sequence[object]) -> None:
        valid: list[PDFStream] = []
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                return super().execute(streams)  # pdfminer warns about these
            valid.append(stream)
        try:
            datas = [s.get_data() for s in valid]
        except Exception:  # noqa: BLE001 - pdfminer's parser fails the same way, at its point
            return super().execute(streams)
        objects = content_objects(datas)
        if objects is None:
            return super().execute(streams)
        self.stream_ids.clear()
        self.stream_ids.update(s.objid for s in valid)
        ops: dict[PSKeyword, tuple[Callable[..., object], int] | None] = {}
        for obj in objects:
            if obj.__class__ is not PSKeyword:
                self.argstack.append(obj)
                continue
            op = ops.get(obj, False)
            if op is False:
                op = ops[obj] = self._operator(obj)
            if op is None:
                continue
            func, nargs = op
            if nargs:
                args = self.argstack[-nargs:]
                del self.argstack[-nargs:]
                if len(args) == nargs:
                    func(*args)
            else:
                func()

    def _operator(self, keyword: PSKeyword) -> tuple[Callable[..., object], int] | None:
        """The bound method pdfminer's ``execute`` calls for this operator, and its
        argument count; None for an operator it has no method for."""
        name = keyword_name(keyword)
        method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
        if not hasattr(self, method):
            return None
        func = getattr(self, method)
        return func, func.__code__.co_argcount - 1
