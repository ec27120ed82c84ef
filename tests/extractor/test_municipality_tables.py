"""Generated bulletins of other states: a municipality table resolves in the
publisher's state, whatever the names share with other states.

Each PDF is drawn on the fly: a masthead naming the publisher, a caption, and a
table of row number | MUNICÍPIO | CASOS, names in capitals as bulletins print
them. The expected codes are looked up in the gazetteer, never typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.facts.gazetteer import gazetteer
from extractor.pipeline import extract_pdf
from tests.pdfmaker import placed_pdf


def _bulletin(path: Path, masthead: list[str], caption: str, rows: list[str],
              prose: list[str] = ()) -> Path:
    glyphs: list[tuple[float, float, str, float]] = []
    y = 40.0
    for line in masthead:
        glyphs.append((40, y, line, 14))
        y += 22
    glyphs.append((40, y + 10, "BOLETIM EPIDEMIOLÓGICO Nº 12", 16))
    y += 50
    for line in prose:
        glyphs.append((40, y, line, 10))
        y += 16
    glyphs.append((40, y + 8, caption, 10))
    y += 30
    glyphs += [(40, y, "Nº", 9), (80, y, "MUNICÍPIO", 9), (300, y, "CASOS", 9)]
    for i, name in enumerate(rows, start=1):
        y += 14
        glyphs += [(40, y, str(i), 9), (80, y, name, 9), (300, y, str(10 * i + 3), 9)]
    return placed_pdf(path, glyphs)


def _places(pdf: Path) -> list[tuple[str, str]]:
    result = extract_pdf(pdf)
    facts = [*result.report.extractions, *(e for it in result.initiatives for e in it.extractions)]
    return sorted({(e.value, e.name) for e in facts if e.kind == "municipality"})


def _codes(uf: str, names: list[str]) -> list[tuple[str, str]]:
    out = []
    for name in names:
        muni = gazetteer().lookup(name, uf=uf)
        assert muni is not None, (name, uf)
        out.append((muni.code, muni.name))
    return sorted(out)


TABLES = [
    # Tocantins: names that Minas Gerais, Bahia, Rio Grande do Sul also have
    ("TO", ["GOVERNO DO ESTADO DO TOCANTINS", "SECRETARIA DE ESTADO DA SAÚDE"],
     "Casos confirmados segundo município de residência, TOCANTINS",
     ["ARAGUAÍNA", "RIACHINHO", "ALVORADA", "NAZARÉ", "FÁTIMA", "LAJEADO", "PALMAS", "GURUPI"]),
    # Rondônia: apostrophes and names shared with MG
    ("RO", ["SESAU-RO", "Agência Estadual de Vigilância em Saúde"],
     "Casos por município",
     ["PORTO VELHO", "ALTA FLORESTA D'OESTE", "BURITIS", "CACOAL", "SANTA LUZIA D'OESTE", "VILHENA"]),
    # Santa Catarina: a masthead naming the state body, shared names of RS/PR/MG
    ("SC", ["Secretaria de Estado da Saúde de Santa Catarina"],
     "Casos confirmados por município",
     ["JOINVILLE", "CHAPECÓ", "BOM JESUS", "LAGES", "HERVAL D'OESTE", "PALMITOS", "SÃO DOMINGOS"]),
    # Rio Grande do Norte: Viçosa and Paraná are RN's here
    ("RN", ["GOVERNO DO ESTADO DO RIO GRANDE DO NORTE", "SESAP"],
     "Municípios do Rio Grande do Norte com casos",
     ["NATAL", "MOSSORÓ", "VIÇOSA", "PARANÁ", "CAICÓ", "SÃO FRANCISCO DO OESTE"]),
]


@pytest.mark.parametrize(("uf", "masthead", "caption", "rows"), TABLES, ids=[t[0] for t in TABLES])
def test_a_table_of_one_states_municipalities_resolves_in_that_state(
        tmp_path: Path, uf: str, masthead: list[str], caption: str, rows: list[str]) -> None:
    pdf = _bulletin(tmp_path / "b.pdf", masthead, caption, rows)
    assert _places(pdf) == _codes(uf, rows)


def test_prose_of_a_bulletin_uses_its_state_and_short_names(tmp_path: Path) -> None:
    """Prose of a Tocantins bulletin: "Sítio Novo" is Sítio Novo do Tocantins, the
    state's name and the office are no places, the time zone is no place."""
    prose = ["Hoje o Tocantins registra 12 óbitos, um de residente em Sítio Novo.",
             "Dados atualizados às 18h, horário oficial de Brasília.",
             "Informações: Prefeitura Municipal de Araguaína."]
    pdf = _bulletin(tmp_path / "b.pdf", ["GOVERNO DO ESTADO DO TOCANTINS"],
                    "Casos por município", ["GURUPI", "PALMAS", "PORTO NACIONAL"], prose)
    assert _places(pdf) == _codes("TO", ["Sítio Novo do Tocantins", "Gurupi", "Palmas", "Porto Nacional"])


def test_a_minas_gerais_table_keeps_its_homonyms_in_minas(tmp_path: Path) -> None:
    rows = ["BELO HORIZONTE", "VIÇOSA", "SÃO FRANCISCO", "BONFIM", "TOLEDO", "TOCANTINS"]
    pdf = _bulletin(tmp_path / "b.pdf", ["SECRETARIA DE ESTADO DE SAÚDE DE MINAS GERAIS"],
                    "Casos segundo município de residência, MINAS GERAIS", rows)
    assert _places(pdf) == _codes("MG", rows)
