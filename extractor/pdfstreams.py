"""Bounded stream decoding for pdfminer: no decompression bombs, no quadratic retries.

pdfminer decodes a stream's filters in ``pdfminer.pdftypes.PDFStream.decode`` with
``zlib.decompress(data)`` (no output limit: a 2 MB stream of repeated blocks
inflates to gigabytes), retries a damaged Flate stream byte by byte while
concatenating ``bytes`` (quadratic: minutes for a few MB), and its LZW and
RunLength decoders have no output limit either (RunLength also raises a bare
RuntimeError on truncated data). ``install()`` replaces those four names in
``pdfminer.pdftypes`` with versions that stop at ``MAX_STREAM_MB`` and raise
:class:`~extractor.errors.BadPDF`, and is called once by extractor/pdf.py, the
only module that reads PDFs. pdfminer keeps its own logic; only the decoders
it calls are swapped, and ``install()`` fails loudly if pdfminer renames them.
"""

from __future__ import annotations

import io
import zlib

from extractor.errors import BadPDF

MAX_STREAM_MB = 64  # one decoded stream; real slide content streams are well under 1 MB
MAX_STREAM_BYTES = MAX_STREAM_MB * 1024 * 1024
_CHUNK = 4096


class StreamTooLarge(BadPDF):
    """A stream inflates past the limit: refuse the file (a retry would inflate it again)."""

    def __init__(self) -> None:
        super().__init__(
            f"a compressed stream in the PDF inflates to more than {MAX_STREAM_MB} MB "
            "(a decompression bomb?); the file was not read",
            code="corrupt",
        )


def _check(size: int) -> None:
    if size > MAX_STREAM_BYTES:
        raise StreamTooLarge()


def inflate(data: bytes) -> bytes:
    """`zlib.decompress` with an output limit; zlib.error for damaged or truncated data."""
    d = zlib.decompressobj()
    out = d.decompress(data, MAX_STREAM_BYTES + 1)
    _check(len(out))
    if not d.eof:  # what zlib.decompress reports as an incomplete stream
        raise zlib.error("incomplete or truncated stream")
    return out


def inflate_damaged(data: bytes) -> bytes:
    """Whatever inflates before the damage, in linear time (pdfminer's retry is quadratic).

    Feeds 4 KiB at a time and, on an error, goes back to the state before that chunk
    and feeds it byte by byte to recover the last good bytes.
    """
    d, parts, total = zlib.decompressobj(), [], 0
    for start in range(0, len(data), _CHUNK):
        chunk, saved = data[start:start + _CHUNK], d.copy()
        try:
            piece = d.decompress(chunk)
        except zlib.error:
            d = saved
            for i in range(len(chunk)):
                try:
                    parts.append(d.decompress(chunk[i:i + 1]))
                except zlib.error:
                    break
            break
        total += len(piece)
        _check(total)
        parts.append(piece)
        if d.eof:
            break
    return b"".join(parts)


def lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    parts, total = [], 0
    for piece in LZWDecoder(io.BytesIO(data)).run():
        total += len(piece)
        _check(total)
        parts.append(piece)
    return b"".join(parts)


def runlength(data: bytes) -> bytes:
    """RunLengthDecode (PDF 32000 7.4.5), bounded; stops quietly at truncated data."""
    out, i, n = bytearray(), 0, len(data)
    while i < n and data[i] != 128:
        length = data[i]
        if length < 128:
            out += data[i + 1:i + 2 + length]
            i += length + 2
        else:
            out += data[i + 1:i + 2] * (257 - length)
            i += 2
        _check(len(out))
    return bytes(out)


class _BoundedZlib:
    """Stands in for the `zlib` module inside pdfminer.pdftypes."""

    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)
    decompress = staticmethod(inflate)


def install() -> None:
    """Swap pdfminer's stream decoders for the bounded ones (idempotent)."""
    from pdfminer import pdftypes

    for name in ("zlib", "decompress_corrupted", "lzwdecode", "rldecode"):
        if not hasattr(pdftypes, name):
            raise RuntimeError(f"pdfminer.pdftypes.{name} is gone: update extractor/pdfstreams.py")
    pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]
    pdftypes.decompress_corrupted = inflate_damaged
    pdftypes.lzwdecode = lzw
    pdftypes.rldecode = runlength
