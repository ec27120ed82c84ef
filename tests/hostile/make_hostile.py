"""Generators of hostile PDFs, one function per case, each writing into a directory.

    python -m tests.hostile.make_hostile OUT_DIR     # writes every case, for poking by hand

Every file is made at test time from hand-written bytes (tests/hostile/pdfbytes.py)
or reportlab (already a dev dependency, used for real encryption); nothing is
downloaded and nothing binary is kept in the repository.
"""

from __future__ import annotations

import io
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from tests.hostile.pdfbytes import COVER, FONTS, INITIATIVE, SLIDE, build, deck, page, stream, text_ops
from tests.pdfmaker import image_only_pdf, simple_deck

Maker = Callable[[Path], Path]
BOMB_GB = 2  # the compression bomb's inflated size; it is about 2 MB on disk
TINY_OBJECTS = 10_000
MANY_PAGES = 2_000
NESTING = 50_000


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def empty(folder: Path) -> Path:
    return _write(folder, "empty.pdf", b"")


def html_renamed(folder: Path) -> Path:
    return _write(folder, "pagina.pdf", b"<!doctype html><html><head><title>Relatorio</title></head>"
                  b"<body><p>Status outubro 2025</p></body></html>\n")


def png_renamed(folder: Path) -> Path:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), color=(200, 30, 30)).save(buffer, format="PNG")
    return _write(folder, "foto.pdf", buffer.getvalue())


def _truncated(fraction: float) -> Maker:
    def make(folder: Path) -> Path:
        data = deck(compress=True)
        return _write(folder, f"cortado-{int(fraction * 100)}.pdf", data[: int(len(data) * fraction)])

    make.__name__ = f"truncated_{int(fraction * 100)}"
    return make


def truncated_tail(folder: Path) -> Path:
    """Only the trailer and `startxref` are lost: every object is intact."""
    data = deck()
    return _write(folder, "sem-trailer.pdf", data[: data.rindex(b"trailer")])


def broken_xref(folder: Path) -> Path:
    """Every xref offset points 7 bytes off; a reader must rebuild it by scanning."""
    return _write(folder, "xref-quebrada.pdf", deck(xref_shift=7))


def encrypted_user(folder: Path) -> Path:
    return simple_deck(folder / "senha.pdf", encrypt=StandardEncryption("segredo", canPrint=0))


def encrypted_owner_only(folder: Path) -> Path:
    """Empty user password, restrictions under an owner password: anyone may read it."""
    return simple_deck(folder / "dono.pdf", encrypt=StandardEncryption("", ownerPassword="dono", canCopy=0))


def many_pages(folder: Path) -> Path:
    """2,000 short pages (reportlab, uncompressed: quick to write)."""
    path = folder / "duas-mil-paginas.pdf"
    c = canvas.Canvas(str(path), pagesize=SLIDE)
    c.setPageCompression(0)
    for n in range(1, MANY_PAGES + 1):
        c.setFont("Helvetica", 18)
        c.drawString(43, 480, f"Pagina {n} de {MANY_PAGES}")
        c.showPage()
    c.save()
    return path


def huge_page(folder: Path) -> Path:
    """One page 200 x 200 inches (14,400 pt, the largest the PDF spec allows), real text."""
    size = 200 * 72
    ops = text_ops(INITIATIVE, top=size - 300)
    return _write(folder, "pagina-gigante.pdf", deck([text_ops(COVER, top=size - 300), ops],
                                                         box=(0, 0, size, size)))


def absurd_page(folder: Path) -> Path:
    """A MediaBox of 1e12 points: no real page is that large."""
    return _write(folder, "pagina-absurda.pdf", deck(box=(0, 0, 1e12, 1e12)))


def compression_bomb(folder: Path) -> Path:
    """A content stream of ~2 MB that inflates to BOMB_GB gigabytes of spaces.

    After a full flush deflate forgets its history, so compressing the same 1 MiB
    block again yields the same bytes: the stream is repeated blocks plus a correct
    Adler-32 trailer, built in a second instead of compressing gigabytes.
    """
    block_in = b" " * (1 << 20)
    comp = zlib.compressobj(9)
    head = comp.compress(block_in) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(block_in) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)[:-4]
    blocks = BOMB_GB * 1024
    adler = 1
    for _ in range(blocks):
        adler = zlib.adler32(block_in, adler)
    data = head + block * (blocks - 1) + tail + adler.to_bytes(4, "big")
    bomb = stream(data, "/Filter /FlateDecode ")
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 2 >>", *FONTS,
        page(2, 6, (3, 4)), stream(text_ops(COVER)), page(2, 8, (3, 4)), bomb,
    ]
    return _write(folder, "bomba.pdf", build(objects))


def deep_nesting(folder: Path) -> Path:
    """Arrays nested 50,000 deep, in the page dictionary and in the content stream."""
    nested = "[" * NESTING + "]" * NESTING
    ops = text_ops(INITIATIVE) + b"\n" + nested.encode() + b" pop\n"
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R] /Count 1 >>", *FONTS,
        page(2, 6, (3, 4), extra=f"/Ninho {nested} "), stream(ops),
    ]
    return _write(folder, "aninhado.pdf", build(objects))


def cyclic_page_tree(folder: Path) -> Path:
    """The page tree's second kid is a Pages node whose only kid is the root again."""
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 3 >>", *FONTS,
        page(2, 6, (3, 4)), stream(text_ops(INITIATIVE)),
        "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 7 0 R] /Count 2 >>",
    ]
    return _write(folder, "ciclo.pdf", build(objects))


def scanned(folder: Path) -> Path:
    return image_only_pdf(folder / "digitalizado.pdf")


def javascript_and_attachment(folder: Path) -> Path:
    """OpenAction JavaScript, a page action and an embedded file, around a normal deck.

    The script would write a file if anything ran it; the attachment's text must
    never appear in the extraction.
    """
    js = "app.alert('relato'); this.exportDataObject({cName: 'anexo.txt', nLaunch: 2});"
    embedded = stream(b"SEGREDO-DO-ANEXO 999.999 pessoas", "/Type /EmbeddedFile ")
    extra = [
        f"<< /S /JavaScript /JS ({js}) >>",  # 9
        embedded,  # 10
        "<< /Type /Filespec /F (anexo.txt) /UF (anexo.txt) /EF << /F 10 0 R >> >>",  # 11
        "<< /Names [(anexo.txt) 11 0 R] >>",  # 12
        "<< /Names [(abrir) 9 0 R] >>",  # 13
    ]
    catalog = "/OpenAction 9 0 R /Names << /EmbeddedFiles 12 0 R /JavaScript 13 0 R >> "
    return _write(folder, "script.pdf", deck(catalog_extra=catalog, extra_objects=extra))


def tiny_text_objects(folder: Path) -> Path:
    """10,000 separate BT/ET objects of one 2-pt letter each, on one page."""
    ops = [text_ops(INITIATIVE)]
    for i in range(TINY_OBJECTS):
        x, y = 20 + (i % 125) * 7.5, 20 + (i // 125) * 3
        ops.append(f"BT /F1 2 Tf {x:g} {y:g} Td ({'abcdefghij'[i % 10]}) Tj ET".encode())
    return _write(folder, "dez-mil.pdf", deck([text_ops(COVER), b"\n".join(ops)]))


def _tounicode(pairs: list[tuple[int, str]]) -> bytes:
    lines = [f"<{code:02X}> <{dst}>" for code, dst in pairs]
    return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Hostil def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n"
            f"{len(lines)} beginbfchar\n" + "\n".join(lines) + "\nendbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end").encode()


def invalid_utf16(folder: Path) -> Path:
    """A ToUnicode map to lone surrogates, NUL and U+FFFF, and an Info title of broken UTF-16."""
    pairs = [(0x41, "D800"), (0x42, "0000"), (0x43, "FFFF"), (0x44, "DC00D800")]
    pairs += [(code, f"{code:04X}") for code in range(0x45, 0x7B)]
    font = ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding "
            "/ToUnicode 9 0 R >>")
    ops = text_ops(INITIATIVE) + b"\nBT /F3 18 Tf 43 200 Td (ABCD Texto ABCD) Tj ET"
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R 7 0 R] /Count 2 >>", *FONTS,
        page(2, 6, (3, 4)), stream(text_ops(COVER)),
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {SLIDE[0]} {SLIDE[1]}] /Contents 8 0 R "
        "/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 10 0 R >> >> >>",
        stream(ops), stream(_tounicode(pairs)), font,
        b"<< /Title <FEFFD800DC00DC0000410042> /Author <FEFF00> >>",
    ]
    return _write(folder, "utf16.pdf", build(objects, info=11))


def font_without_unicode(folder: Path) -> Path:
    """All text in a Type0 Identity-H font with no ToUnicode: glyph ids, no characters."""
    font = ("<< /Type /Font /Subtype /Type0 /BaseFont /Semnome /Encoding /Identity-H "
            "/DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Semnome "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 >>] >>")
    ops = b"BT /F1 24 Tf 43 480 Td <002400250026002700280029> Tj ET\nBT /F1 18 Tf 43 440 Td <0030003100320033> Tj ET"
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [4 0 R] /Count 1 >>", font,
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {SLIDE[0]} {SLIDE[1]}] /Contents 5 0 R "
        "/Resources << /Font << /F1 3 0 R >> >> >>",
        stream(ops),
    ]
    return _write(folder, "sem-unicode.pdf", build(objects))


def xobject_fanout(folder: Path) -> Path:
    """'Billion laughs' with form XObjects: 30 levels, each drawing the next one 4 times."""
    levels = 30
    first = 7  # objects: 1 catalog, 2 pages, 3-4 fonts, 5 page, 6 contents, 7.. forms
    forms: list[bytes | str] = []
    for level in range(levels):
        if level == levels - 1:
            body = b"BT /F1 12 Tf 10 10 Td (riso) Tj ET"
            res = "/Font << /F1 3 0 R >>"
        else:
            body = b"\n".join([b"/X Do"] * 4)
            res = f"/XObject << /X {first + level + 1} 0 R >>"
        forms.append(stream(body, f"/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << {res} >> "))
    objects: list[bytes | str] = [
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [5 0 R] /Count 1 >>", *FONTS,
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {SLIDE[0]} {SLIDE[1]}] /Contents 6 0 R "
        f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /X {first} 0 R >> >> >>",
        stream(text_ops(INITIATIVE) + b"\n/X Do"), *forms,
    ]
    return _write(folder, "risos.pdf", build(objects))


truncated_10 = _truncated(0.10)
truncated_50 = _truncated(0.50)
truncated_90 = _truncated(0.90)

MAKERS: dict[str, Maker] = {
    fn.__name__: fn for fn in (
        empty, html_renamed, png_renamed, truncated_10, truncated_50, truncated_90, truncated_tail,
        broken_xref, encrypted_user, encrypted_owner_only, many_pages, huge_page, absurd_page,
        compression_bomb, deep_nesting, cyclic_page_tree, scanned, javascript_and_attachment,
        tiny_text_objects, invalid_utf16, font_without_unicode, xobject_fanout,
    )
}


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "hostile-pdfs")
    out.mkdir(parents=True, exist_ok=True)
    for name, make in MAKERS.items():
        path = make(out)
        print(f"{name:28} {path.stat().st_size:>12,} bytes  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
