"""The identifier finder: tight spans for numbers that name things, none for quantities/dates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
import yaml

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts import identifiers
from extractor.facts.base import FactContext
from extractor.facts.identifiers import find_identifiers

NLP = spacy.blank("pt")


def spans(text: str) -> list[str]:
    ctx = FactContext(text=text, title_end=0, status_date="2025-10")
    return [text[a:b] for a, b in find_identifiers(NLP(text), ctx)]


# (text, exact identifier texts in order)
CASES = [
    ("foi formalizada no Decreto nº 48.937, de 06 de novembro de 2024, alinhada",
     ["Decreto nº 48.937"]),
    ("conforme o Decreto nº 48.937/2024.", ["Decreto nº 48.937/2024"]),
    ("(Decreto Federal nº 12.069, de 21 de junho de 2024)", ["Decreto Federal nº 12.069"]),
    ("em conformidade com a Lei 13.709/2018 (LGPD)", ["Lei 13.709/2018"]),
    ("Lei nº 14.133, de 1º de abril de 2021", ["Lei nº 14.133"]),
    ("LEI COMPLEMENTAR Nº 101, DE 4 DE MAIO DE 2000", ["LEI COMPLEMENTAR Nº 101"]),
    # set in capitals: a sign joined to its number and a connective are no modifiers
    ("RESOLUÇÃO CONAMA Nº274 DE 29 DE NOVEMBRO DE 2000", ["RESOLUÇÃO CONAMA Nº274"]),
    ("PORTARIA SEPLAG/SEF Nº 12 DE 3 DE MARÇO DE 2021", ["PORTARIA SEPLAG/SEF Nº 12"]),
    ("DECRETO DE 5 DE MAIO DE 2020", []),
    ("DECRETO DA 2 VARA", []),
    ("Resolução SEPLAG nº 45/2023", ["Resolução SEPLAG nº 45/2023"]),
    ("Portaria nº 1.234, de 2 de maio de 2024", ["Portaria nº 1.234"]),
    ("Instrução Normativa nº 65/2021", ["Instrução Normativa nº 65/2021"]),
    ("Processo SEI nº 1500.01.0012345/2024-12", ["Processo SEI nº 1500.01.0012345/2024-12"]),
    ("Matriz de Correspondência da Fonte de Recursos STN 710/2021. SEPLAG (Fev/24)", ["STN 710/2021"]),
    ("certificação ISO 27001 e ISO/IEC 27001:2022", ["ISO 27001", "ISO/IEC 27001:2022"]),
    ("Decreto nº 1.707/2014 de 03 de junho de 2014", ["Decreto nº 1.707/2014"]),
    ("Alô, Minas - Fase I atendendo mais de 100 mil mineiros", ["Fase I"]),
    ("Início do Alô, Minas - Fase 2 que atenderá 41 novas localidades", ["Fase 2"]),
    ("Implantação da fase 1 abrangendo 465 municípios", ["fase 1"]),
    ("PPSI - Ciclos 1 e 2:", ["Ciclos 1 e 2"]),
    ("Lote 3 do pregão eletrônico", ["Lote 3"]),
    ("conforme o item 9 do edital", ["item 9"]),
    ("os serviços 4 e 5 já estão disponíveis", ["serviços 4 e 5"]),
    ("Quadro 1 – Ouvidorias e pontos de resposta cadastradas", ["Quadro 1"]),
    ("ÁREA TEMÁTICA 4 PRIVACIDADE E SEGURANÇA", ["ÁREA TEMÁTICA 4"]),
    ("CNPJ 12.345.678/0001-90", ["CNPJ 12.345.678/0001-90"]),
    ("inscrita no CNPJ sob o nº 12.345.678/0001-90", ["nº 12.345.678/0001-90"]),
    ("CPF 123.456.789-00", ["CPF 123.456.789-00"]),
    ("CPF ***.456.789-**", ["***.456.789-**"]),
    ("IMPLANTAR A REDE GOVERNO 4.0", ["4.0"]),
    ("Diagnóstico de Maturidade em Privacidade 2.0", ["2.0"]),
    ("Telefone: (31) 3915-0000", ["(31) 3915-0000"]),
    ("Ligue 0800 123 4567", ["0800 123 4567"]),
    ("CEP 30130-000", ["CEP 30130-000"]),
    ("Rua Joaquim Pinto, 55 - CEP 18.660-000", ["Rua Joaquim Pinto, 55", "CEP 18.660-000"]),
    ("acompanhados em: https://desenvolvimento.mg.gov.br/inicio/projetos/projeto/1071.",
     ["https://desenvolvimento.mg.gov.br/inicio/projetos/projeto/1071"]),
    ("acesse www.mg.gov.br/servicos/2024", ["www.mg.gov.br/servicos/2024"]),
    ("e-mail: cetic@planejamento.mg.gov.br", ["cetic@planejamento.mg.gov.br"]),
    ("- 1. Dados Aids/HIV SES (jan/24)\n- 2. Hanseníase SES (jan/24)", ["1.", "2."]),
    ("- 5. Reconhecimento de cursos (API de CNPJ).\n- 6 Autorização de funcionamento (API de CNPJ).\n"
     "- 7. Recredenciamento de entidade mantenedora", ["5.", "6", "7."]),
    ("1) Levantamento de requisitos\n2) Homologação", ["1)", "2)"]),
    ("Diário Oficial do Município de Pratânia/SP – Edição n° 136", ["Edição n° 136"]),
    ("Edição: 697", ["Edição: 697"]),
    ("ANO XLVIII EDIÇÃO No 39, BRASÍLIA - DF", ["EDIÇÃO No 39"]),
    ("Boletim Epidemiológico Nº 644", ["Boletim Epidemiológico Nº 644"]),
    ("Costa: Salvador – Boletim N°: 26/2010", ["Boletim N°: 26/2010"]),
    ("*Dados até de 07 de março de 2022, às 15h05min", ["às 15h05min"]),
    ("reunião às 14:30 na Cidade Administrativa", ["às 14:30"]),
    ("duplicação da BR-381 no trecho", ["BR-381"]),
    ("conforme o Anexo II do Decreto", ["Anexo II"]),
    ("Fases 1, 2 e 3 concluídas", ["Fases 1, 2 e 3"]),
    # a document's revision number, as an electronic-process footer prints it
    ("Despacho do processo, Revisão 01 SEI ALAGOAS", ["Revisão 01"]),
    ("Manual do usuário, rev. 3", ["rev. 3"]),
    # undotted item numbers in sequence, an item's words wrapped between them
    ("1 Engajamento\ndos setores\n2 Monitoramento\ne controle das\nmetas\n3 Atribuição de\nmetas",
     ["1", "2", "3"]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[t[:40] for t, _ in CASES])
def test_identifier_spans(text, expected):
    assert spans(text) == expected


# Quantities, dates and periods are not identifiers.
NOT_IDENTIFIERS = [
    "- 255.766 Acionamentos\n- 10.766 Atendimentos\n- 853 municípios atendidos",
    "Mais 10 Prefeituras estão em treinamento",
    "- 10 Prefeituras aderiram\n- 4 Secretarias",
    "06 de novembro de 2024",
    "6/11/2024 e 06.11.2024",
    "no período 2024 - 2026",
    "de 2024-2026",
    "Estatísticas (dez/23 a out/25):",
    "1º bimestre de 2025",
    "Processo Seletivo 2024",
    "Fase de testes em 2025",
    "Economia de aprox. 21,5h por mês",
    "58 h → 32,8h",
    "mais de 100 mil transferências digitais",
    "R$ 3.272.274,00",
    "28,79%",
    "Total do mês de dezembro/2013 101.412,69",
    "Em 2024 foram replicados alguns processos",
    "a fase no 2º semestre de 2025",
    "oferta de serviços 24 horas por dia",
    "A Fase de implantação entrega 3 novas escolas",
    "Fases de 2024 a 2026",
    "Equipe: 2 Gerentes\n3 Analistas",
    "- 3 Escolas\n- 12 Creches\n- 4 Hospitais",
]


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_not_identifiers(text):
    assert spans(text) == []


def test_spans_are_offsets_into_text():
    text = "Em 2025, conforme o Decreto nº 48.937/2024, foram definidos marcos."
    ctx = FactContext(text=text, title_end=0)
    ((start, end),) = find_identifiers(NLP(text), ctx)
    assert text[start:end] == "Decreto nº 48.937/2024"


def test_rules_file_loads():
    compiled = identifiers.load_rules()
    assert compiled.list_window >= 1


def test_unknown_rules_key_fails(tmp_path: Path, monkeypatch):
    dest = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), dest)
    data = yaml.safe_load((dest / "identifiers.yaml").read_text(encoding="utf-8"))
    data["cue_words"] = ["Decreto"]
    (dest / "identifiers.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(dest))
    with pytest.raises(RulesError, match="identifiers.yaml"):
        identifiers.load_rules()
