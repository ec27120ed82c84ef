"""The bounded stream decoders that extractor/pdf.py installs into pdfminer."""

from __future__ import annotations

import time
import zlib

import pytest

from extractor import pdfstreams
from extractor.pdfstreams import MAX_STREAM_BYTES, StreamTooLarge


def test_inflate_refuses_past_the_limit() -> None:
    bomb = zlib.compress(b" " * (MAX_STREAM_BYTES + 1024), 9)
    assert len(bomb) < MAX_STREAM_BYTES // 500
    with pytest.raises(StreamTooLarge, match="decompression bomb"):
        pdfstreams.inflate(bomb)


def test_inflate_is_zlib_decompress_below_the_limit() -> None:
    data = "Foram realizados 12.500 atendimentos em julho de 2025.\n".encode() * 1000
    assert pdfstreams.inflate(zlib.compress(data)) == data
    with pytest.raises(zlib.error):
        pdfstreams.inflate(zlib.compress(data)[:-10])  # truncated: pdfminer then salvages


def test_damaged_stream_is_salvaged_in_linear_time() -> None:
    """pdfminer's own retry concatenates bytes per input byte: minutes for this one."""
    data = bytes(range(256)) * 40_000  # 10 MB that compress poorly
    damaged = bytearray(zlib.compress(data, 1))
    damaged[len(damaged) * 3 // 4] ^= 0xFF
    start = time.monotonic()
    salvaged = pdfstreams.inflate_damaged(bytes(damaged))
    assert time.monotonic() - start < 5
    assert len(salvaged) > len(data) // 2 and data.startswith(salvaged[: len(data) // 2])


@pytest.mark.parametrize(("encoded", "decoded"), [
    (b"\x02abc\xfeZ\x80", b"abcZZZ"),
    (b"\x05ab", b"ab"),  # truncated literal run: pdfminer raised RuntimeError here
    (b"\xfe", b""),  # truncated repeat run
])
def test_runlength(encoded: bytes, decoded: bytes) -> None:
    assert pdfstreams.runlength(encoded) == decoded


def test_runlength_bomb_is_refused() -> None:
    with pytest.raises(StreamTooLarge):
        pdfstreams.runlength(b"\x81\x00" * (MAX_STREAM_BYTES // 128 + 2))


def test_installed_into_pdfminer() -> None:
    import extractor.pdf  # noqa: F401 - installs on import
    from pdfminer import pdftypes

    assert pdftypes.decompress_corrupted is pdfstreams.inflate_damaged
    assert pdftypes.zlib.decompress is pdfstreams.inflate
