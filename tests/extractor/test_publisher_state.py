"""The document-level pass that says which state a document speaks of."""

from __future__ import annotations

import pytest

from extractor.facts.publisher_state import publisher_state

CASES = [
    # a state body named with its state
    ("GOVERNO DO ESTADO DO TOCANTINS\nBoletim epidemiológico nº 10", "TO"),
    ("Secretaria de Estado da Saúde de Santa Catarina\nInforme diário", "SC"),
    ("Corpo de Bombeiros Militar de Alagoas\nRelatório de indicadores", "AL"),
    ("Governo de Minas Gerais — Secretaria de Planejamento", "MG"),
    ("Assembleia Legislativa do Rio Grande do Norte", "RN"),
    ("Tribunal de Contas do Estado do Mato Grosso do Sul", "MS"),
    ("ESTADO DO PARANÁ\nRelatório anual", "PR"),
    # an acronym with the state's abbreviation
    ("SESAU-RO\nBoletim diário COVID-19", "RO"),
    ("Fonte: SES/SC, 2020", "SC"),
    ("Elaboração: SEPLAG-MG", "MG"),
    # the most named state wins; the first on a tie
    ("SESAU-RO informa. Governo do Estado de Rondônia. Dados do Estado de São Paulo.", "RO"),
    ("Governo do Estado da Bahia e Governo do Estado de Sergipe", "BA"),
    # a municipal body's state is not read from a name after "municipal"
    ("Secretaria Municipal de Saúde de Espírito Santo\nRelatório", None),
    # a municipal office: its municipality's state
    ("PREFEITURA MUNICIPAL DE CACHOEIRO DE ITAPEMIRIM - ES\nBalancete", "ES"),
    ("Prefeitura Municipal de Adustina\nRelatório resumido", "BA"),
    ("Câmara Municipal de Chapecó\nAta", "SC"),
    # else the state most of its unambiguous municipalities are of
    ("Casos em Araguaína, Gurupi, Porto Nacional, Colinas do Tocantins, Miracema do Tocantins"
     " e Lavras.", "TO"),
    # ... not when places of a town bear other states' town names
    ("Costa: Salvador\nPontos: Santa Maria, Boa Viagem, Vila Maria, Pedra Furada", None),
    # nothing says it
    ("Relatório de automação de processos\nResultados", None),
    ("Casos em Araguaína e Lavras.", None),
    # a state's abbreviation alone, or abbreviations in a row, say nothing
    ("Bases: DF/RJ/SP", None),
    ("COVID-19 e H1N1", None),
]


@pytest.mark.parametrize(("text", "uf"), CASES)
def test_publisher_state(text: str, uf: str | None) -> None:
    assert publisher_state(text) == uf
