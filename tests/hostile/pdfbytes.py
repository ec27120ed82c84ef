"""Hand-written PDF bytes for the hostile suite: objects in, a file with a correct xref out.

Writing the bytes ourselves (rather than through reportlab or pypdf) is what lets a
test put exactly the damage it wants into a file: a lying xref, a cyclic page tree,
a stream that inflates to gigabytes. Nothing here is downloaded.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

SLIDE = (960, 540)  # landscape slide, like the status decks


def stream(data: bytes, extra: str = "") -> bytes:
    """A stream object body: its dictionary (with the right /Length) and data."""
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


def build(objects: Sequence[bytes | str], *, root: int = 1, info: int | None = None,
          xref_shift: int = 0) -> bytes:
    """A PDF whose object i+1 is objects[i]; `xref_shift` makes every xref offset lie."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        raw = body.encode("latin-1") if isinstance(body, str) else body
        out += f"{number} 0 obj\n".encode() + raw + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off + xref_shift:010d} 00000 n \n".encode()
    info_ref = f" /Info {info} 0 R" if info else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R{info_ref} >>\n".encode()
    out += f"startxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def text_ops(lines: Sequence[tuple[str, float, bool]], top: float = SLIDE[1] - 60) -> bytes:
    """Content-stream operators drawing lines top-down, like tests.pdfmaker.slide_pdf."""
    ops, y = [], top
    for text, size, bold in lines:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"BT /{'F2' if bold else 'F1'} {size:g} Tf 43 {y:g} Td ({escaped}) Tj ET")
        y -= size * 1.6
    return "\n".join(ops).encode("latin-1")


COVER = [("Painel de Iniciativas", 40, True), ("STATUS: AGOSTO 2025", 24, False)]
INITIATIVE = [
    ("AREA TEMATICA 2 SERVICOS DIGITAIS", 13, True),
    ("AMPLIAR O ATENDIMENTO DIGITAL", 24, True),
    ("Foram realizados 12.500 atendimentos em julho de 2025.", 18, False),
    ("A meta e atingir 80% dos municipios.", 18, False),
]
TITLE = "AMPLIAR O ATENDIMENTO DIGITAL"  # what a correct extraction of the deck contains
FONTS = ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
         "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")


def page(parent: int, contents: int, fonts: tuple[int, int], *, box: Sequence[float] = (0, 0, *SLIDE),
         extra: str = "") -> str:
    media = " ".join(str(int(v)) if float(v).is_integer() else str(v) for v in box)  # no exponents
    return (f"<< /Type /Page /Parent {parent} 0 R /MediaBox [{media}] /Contents {contents} 0 R "
            f"/Resources << /Font << /F1 {fonts[0]} 0 R /F2 {fonts[1]} 0 R >> >> {extra}>>")


def deck(pages: Sequence[bytes] | None = None, *, box: Sequence[float] = (0, 0, *SLIDE),
         catalog_extra: str = "", extra_objects: Sequence[bytes | str] = (), xref_shift: int = 0,
         compress: bool = False) -> bytes:
    """A deck of text pages (default: cover + one initiative) with room for extra objects.

    Layout: 1 catalog, 2 pages, 3-4 fonts, then (page, contents) pairs, then `extra_objects`.
    """
    contents = list(pages) if pages is not None else [text_ops(COVER), text_ops(INITIATIVE)]
    first = 5
    kids = " ".join(f"{first + 2 * i} 0 R" for i in range(len(contents)))
    objects: list[bytes | str] = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(contents)} >>",
        *FONTS,
    ]
    for i, ops in enumerate(contents):
        objects.append(page(2, first + 2 * i + 1, (3, 4), box=box))
        if compress:
            objects.append(stream(zlib.compress(ops), "/Filter /FlateDecode "))
        else:
            objects.append(stream(ops))
    objects.extend(extra_objects)
    return build(objects, xref_shift=xref_shift)
