"""The number finder on real report strings: counts, percentages, money, and non-counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
import yaml

from extractor.errors import RulesError
from extractor.facts import numbers_rules
from extractor.facts.base import FactContext
from extractor.facts.numbers import find_numbers, parse_numeral, parse_words

NLP = spacy.blank("pt")


def run(text: str, title_end: int = 0):
    ctx = FactContext(text=text, title_end=title_end, status_date="2025-10")
    return find_numbers(NLP(text), ctx)


def check(found, expected) -> None:
    """The (kind, value) set matches; each count's unit starts with the head, qualifiers match."""
    got = {(c.kind, round(float(c.value), 4)): c for c in found}
    assert set(got) == {(k, round(float(v), 4)) for k, v, _, _ in expected}
    for kind, value, unit, qualifier in expected:
        cand = got[(kind, round(float(value), 4))]
        if unit is not None:
            assert cand.unit is not None and cand.unit.startswith(unit), cand.unit
        assert (cand.qualifier or "exact") == qualifier


# (text, [(kind, value, unit head, qualifier)])
POSITIVES = [
    ("- 255.766 Acionamentos", [("count", 255766, "acionamentos", "exact")]),
    # a share of a group bounded by an age is a fact; the bound is not
    ("óbitos: 80% com 60 anos ou mais", [("percentage", 80, None, "exact")]),
    ("- 10.766 Atendimentos", [("count", 10766, "atendimentos", "exact")]),
    ("- 853 municípios atendidos", [("count", 853, "municípios", "exact")]),
    ("Origem do atendimento: MGApp (68%), WebChat (28,79%), Telegram (2,41%)",
     [("percentage", 68, None, "exact"), ("percentage", 28.79, None, "exact"), ("percentage", 2.41, None, "exact")]),
    ("expandido para todas as escolas da rede estadual de ensino (mais de 3.400 escolas).",
     [("count", 3400, "escolas", "at_least")]),
    ("A estimativa é de que 1,5 milhão de estudantes sejam beneficiados.",
     [("count", 1500000, "estudantes", "approx")]),
    ("Implantação da fase 1 abrangendo 465 municípios em 2024.", [("count", 465, "municípios", "exact")]),
    ("30.618 teleconsultorias realizadas entre setembro/24 e outubro/25.",
     [("count", 30618, "teleconsultorias", "exact")]),
    ("Atualmente, mais de 100 mil transferências digitais foram realizadas.",
     [("count", 100000, "transferências digitais", "at_least")]),
    ("Trabalho realizado em lotes (2.500 processos analisados até outubro/25).",
     [("count", 2500, "processos", "exact")]),
    ("Classificação de prontuário médico mais de 4 mil processos executados.",
     [("count", 4000, "processos", "at_least")]),
    ("para o regime próprio (1785 processos analisados e lançados até out/25).",
     [("count", 1785, "processos", "exact")]),
    ("totalizando mais de 90 mil atendimentos nesse período.", [("count", 90000, "atendimentos", "at_least")]),
    ("O Estado atingiu 4.774.499 CIN's emitidas até setembro de 2025, alcançando 20% da população mineira.",
     [("count", 4774499, "cin", "exact"), ("percentage", 20, None, "exact")]),
    ("realizou um piloto teste com impacto potencial em 17 mil alunos no estado.",
     [("count", 17000, "alunos", "exact")]),
    ("Em 2025, estão previstas ações junto aos órgãos para alcançar o nível de maturidade em privacidade de 0,75.",
     [("count", 0.75, "nível de maturidade", "target")]),
    ("MAIO/JUN: Aplicação do diagnóstico/ alteração da\nperiodicidade de aplicação de 3 para 6 meses",
     [("count", 3, "meses", "exact"), ("count", 6, "meses", "exact")]),
    ("As migrações serão iniciadas em setembro com previsão de mais de 5.000 links, utilizando diferentes tecnologias",
     [("count", 5000, "links", "at_least")]),
    ("Espera-se uma economia em torno de 65% em relação aos contratos anteriores.",
     [("percentage", 65, None, "approx")]),
    ("Os novos contratos estão vigentes desde maio de 2025 (vigência de 5 anos)", [("count", 5, "anos", "exact")]),
    ("150 novas localidades ativadas em 2024 no Alô, Minas - Fase I atendendo mais de 100 mil mineiros.",
     [("count", 150, "novas localidades", "exact"), ("count", 100000, "mineiros", "at_least")]),
    ("Início do Alô, Minas - Fase 2 que atenderá 41 novas localidades.", [("count", 41, "novas localidades", "exact")]),
    ("Mais 10 Prefeituras estão em treinamento, são elas: Pedro Leopoldo, Coqueiral",
     [("count", 10, "prefeituras", "exact")]),
    ("com o Google ofereceu mil vagas em cursos gratuitos para os servidores estaduais",
     [("count", 1000, "vagas", "exact")]),
    ("723 casos humanos confirmados e 237 óbitos", [("count", 723, "casos", "exact"), ("count", 237, "óbitos", "exact")]),
    ("01 (um) caso humano", [("count", 1, "caso", "exact")]),
    ("5.255 certidões do IPSEMG", [("count", 5255, "certidões", "exact")]),
    ("total de 800 ocorrências", [("count", 800, "ocorrências", "exact")]),
    ("60 segundos → 20 segundos", [("count", 60, "segundos", "exact"), ("count", 20, "segundos", "exact")]),
    ("16,25 dias → 0,1 dias", [("count", 16.25, "dias", "exact"), ("count", 0.1, "dias", "exact")]),
    ("58 h → 32,8h", [("count", 58, "h", "exact"), ("count", 32.8, "h", "exact")]),
    ("Redução de 43,4 % no tempo de análise", [("percentage", 43.4, None, "exact")]),
    ("Aprox. 20.300 servidores ativos", [("count", 20300, "servidores", "approx")]),
    ("Ponto Digital: aprox. 6.000", [("count", 6000, "ponto digital", "approx")]),
    ("Média de 171 solicitações de alteração por mês", [("count", 171, "solicitações", "exact")]),
    ("Economia de aprox. 21,5h por mês", [("count", 21.5, "h", "approx")]),
    ("3 servidores liberados para outras atividades", [("count", 3, "servidores", "exact")]),
    ("2.077.684 DOSES APLICADAS", [("count", 2077684, "doses", "exact")]),
    ("2.401 novos casos", [("count", 2401, "novos casos", "exact")]),
    ("CURADOS 349.880 92,05%", [("count", 349880, "curados", "exact"), ("percentage", 92.05, None, "exact")]),
    ("72,0% (67/93) dos inscritos estiveram presentes", [("percentage", 72.0, None, "exact")]),
    ("19 respostas ao formulário", [("count", 19, "respostas", "exact")]),
    ("valor global de R$ 132.001.718,00", [("money", 132001718.0, None, "exact")]),
    ("investimento de R$ 1,2 milhão em equipamentos", [("money", 1200000, None, "exact")]),
    ("Receitas Correntes R$ 3.272.274,00", [("money", 3272274.0, None, "exact")]),
    ("aporte de R$ 150 mil do BNDES", [("money", 150000, None, "exact")]),
    ("economia estimada de 5 milhões de reais por ano", [("money", 5000000, None, "approx")]),
    ("taxa de R$1.500,50 por contrato", [("money", 1500.5, None, "exact")]),
    ("cerca de R$ 2,1 bilhões em contratos", [("money", 2100000000, None, "approx")]),
    ("20 por cento dos municípios", [("percentage", 20, None, "exact")]),
    ("quinze municípios aderiram ao SEI!", [("count", 15, "municípios", "exact")]),
    ("dois mil e quinhentos atendimentos presenciais", [("count", 2500, "atendimentos", "exact")]),
    ("7 MILHÕES DE CARTEIRAS emitidas", [("count", 7000000, "carteiras", "exact")]),
    ("até 10 dias úteis para análise", [("count", 10, "dias", "at_most")]),
    ("no máximo 30 dias após o pedido", [("count", 30, "dias", "at_most")]),
    ("pelo menos 50 servidores capacitados", [("count", 50, "servidores", "at_least")]),
    ("acima de 200 pontos de atendimento", [("count", 200, "pontos", "at_least")]),
    ("satisfação superior a 80%", [("percentage", 80, None, "at_least")]),
    ("meta de 95% de satisfação dos usuários", [("percentage", 95, None, "target")]),
    ("em torno de 2 mil acessos diários", [("count", 2000, "acessos", "approx")]),
    ("aproximadamente 1.200 usuários cadastrados", [("count", 1200, "usuários", "approx")]),
    ("A seguir, o número de atendimentos em 2025:\n\n• 1° bimestre: 17.282\n\n• 4° bimestre: 22.298\n\n2° bimestre: 18.542",
     [("count", 17282, "atendimentos", "exact"), ("count", 22298, "atendimentos", "exact"),
      ("count", 18542, "atendimentos", "exact")]),
    ("Município\tUnidades\nBelo Horizonte\t12\nUberlândia\t4",
     [("count", 12, "unidades", "exact"), ("count", 4, "unidades", "exact")]),
    ("Ouvidorias\tQuantidade\nSES\t22\nSMS - municípios\t262",
     [("count", 22, "ouvidorias", "exact"), ("count", 262, "ouvidorias", "exact")]),
    ("2000 servidores treinados no programa", [("count", 2000, "servidores", "exact")]),
    ("Em 2025 foram capacitados 2.000 servidores", [("count", 2000, "servidores", "exact")]),
    ("oferta de serviços 24 horas por dia", [("count", 24, "horas", "exact")]),
    ("A Fase 2 entrega 3 novas escolas conectadas", [("count", 3, "novas escolas conectadas", "exact")]),
    ("Nº de atendimentos: 1.234", [("count", 1234, "atendimentos", "exact")]),
    ("Quantidade de acessos por mês:\nJaneiro: 1.234\nFevereiro: 2.345",
     [("count", 1234, "acessos", "exact"), ("count", 2345, "acessos", "exact")]),
    ("O projeto teve 12 entregas, 4 delas em 2025.", [("count", 12, "entregas", "exact")]),
    ("1.234 (mil duzentos e trinta e quatro) reais", [("money", 1234, None, "exact")]),
    ("A economia estimada é de R$ 14,8 milhões ao longo de 5 anos de contrato.",
     [("money", 14800000, None, "approx"), ("count", 5, "anos", "exact")]),
    ("Foram migrados 64 sistemas dos 150 previstos no plano, o que representa 43% do total.",
     [("count", 64, "sistemas", "exact"), ("count", 150, "sistemas", "exact"), ("percentage", 43, None, "exact")]),
    ("O índice médio de maturidade digital dos órgãos passou de 0,42 em 2024 para 0,58 em 2025.",
     [("count", 0.42, "índice de maturidade", "exact"), ("count", 0.58, "índice de maturidade", "exact")]),
    ("A meta é alcançar o índice de 0,70 até 2026.", [("count", 0.70, "índice", "target")]),
    ("para alcançar o nível de maturidade em\nprivacidade de 0,75.", [("count", 0.75, "nível de maturidade", "target")]),
]


# Amounts in words, multipliers glued or short, trailing "+", alternatives in words,
# approximate and upper-bound cues (guide, "Amounts in words" and "More settled cases").
SETTLED = [
    ("(um milhão, trezentos e noventa e cinco mil,\nsetecentos e trinta e nove reais)",
     [("money", 1395739, None, "exact")]),
    ("repasse de dois milhões e quinhentos mil reais ao fundo", [("money", 2500000, None, "exact")]),
    ("total de cento e vinte reais e cinquenta centavos", [("money", 120.5, None, "exact")]),
    ("cerca de trinta mil,\nquinhentos reais em multas", [("money", 30500, None, "approx")]),
    ("quinze municípios e dez mil reais", [("count", 15, "municípios", "exact"), ("money", 10000, None, "exact")]),
    ("30k+ usuários cadastrados", [("count", 30000, "usuários", "at_least")]),
    ("100+ municípios atendidos", [("count", 100, "municípios", "at_least")]),
    ("uma ou duas semanas de espera", [("count", 1, "semanas", "exact"), ("count", 2, "semanas", "exact")]),
    ("um a dois dias úteis", [("count", 1, "dias", "exact"), ("count", 2, "dias", "exact")]),
    ("investimento de R$ 3,7 bi", [("money", 3700000000, None, "exact")]),
    ("investimento de R$ 3,7bi", [("money", 3700000000, None, "exact")]),
    ("R$ 12 mi em obras", [("money", 12000000, None, "exact")]),
    ("+/- 2.000 pessoas no evento", [("count", 2000, "pessoas", "approx")]),
    ("±2.000 pessoas no evento", [("count", 2000, "pessoas", "approx")]),
    ("suspensão por até 10 dias", [("count", 10, "dias", "at_most")]),
    # a figure repeated in words wrapped to the next line is still one count with its unit
    ("constam 17\n(dezessete) indicadores vinculados ao tema", [("count", 17, "indicadores", "exact")]),
    ("foram 246 (duzentos e quarenta\ne seis) metas cumpridas", [("count", 246, "metas", "exact")]),
    # a table's cells that carry their own currency sign are amounts, not row labels
    ("Manutenção\tValor planejado\tValor executado\tPercentual\n2024.1\tR$ 1.500.000,00\tR$ 646.131,51\t43,08%",
     [("money", 1500000, None, "exact"), ("money", 646131.51, None, "exact"), ("percentage", 43.08, None, "exact")]),
    ("Obra\tCusto\nEscola Norte\tR$ 80.000,00\nPosto Sul\tR$45.500,00",
     [("money", 80000, None, "exact"), ("money", 45500, None, "exact")]),
    # the currency sign between the figure and its multiplier, as a slide's KPI prints it
    ("371 R$ milhões (total)", [("money", 371000000, None, "exact")]),
    ("Até 45 R$ milhões por projeto", [("money", 45000000, None, "at_most")]),
    ("custo de 2,5 R$ mil por equipe", [("money", 2500, None, "exact")]),
    # a sign glued to a percentage: a share below zero
    ("- 2021/1: -2,49% do valor de repasse", [("percentage", -2.49, None, "exact")]),
    ("Taxa de crescimento\n−11,9650%", [("percentage", -11.965, None, "exact")]),
    ("variação de -3,5 % no período", [("percentage", -3.5, None, "exact")]),
]

POSITIVES += SETTLED


@pytest.mark.parametrize(("text", "expected"), POSITIVES, ids=[t[:40] for t, _ in POSITIVES])
def test_finds_numbers(text, expected):
    check(run(text), expected)


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("R$ 2.801.233,75 (dois milhões, oitocentos e um mil, duzentos e trinta e três reais e setenta e cinco "
     "centavos)", "money", 2801233.75),
    ("no valor de R$ 195.690,00 (cento e noventa e cinco mil e seiscentos e noventa reais), no âmbito",
     "money", 195690),
    ("R$ 176.121,00 (cento e setenta e seis\nmil e cento e vinte e um reais), dividido", "money", 176121),
    ("no valor de R$ 2.908.613,05 (dois milhões) conforme o plano", "money", 2908613.05),
    ("25,00% (vinte e cinco por cento) da receita", "percentage", 25),
    # the words name the currency: money even where the "R$" sits on the page before
    ("64.298.492,83 (sessenta e quatro milhões, duzentos e noventa e oito mil, quatrocentos e\nnoventa e dois "
     "reais e oitenta e três centavos).", "money", 64298492.83),
    ("percentual de 23% (vinte e três por cento)", "percentage", 23),
    ("pelo prazo de 60 (sessenta) dias", "count", 60),
])
def test_words_that_repeat_a_figure_are_the_same_fact(text, kind, value):
    """Nothing inside the words is a fact of its own ("duzentos e trinta e três reais" is no R$ 233)."""
    assert [(c.kind, round(float(c.value), 4)) for c in run(text)] == [(kind, round(float(value), 4))]


# (title, body, [(kind, value, unit head, qualifier)]) — numbers in goal titles are targets.
TITLES = [
    ("7 MILHÕES DE CARTEIRAS DE IDENTIDADE NACIONAL (CIN) EMITIDAS ATÉ 2026",
     "O Estado atingiu 4.774.499 CIN's emitidas até setembro de 2025.",
     [("count", 7000000, "carteiras", "target"), ("count", 4774499, "cin", "exact")]),
    ("IMPLANTAR O CONECTA GOV.BR PARA 10 (DEZ) SERVIÇOS PÚBLICOS", "Serviços implantados:",
     [("count", 10, "serviços", "target")]),
    ("ATINGIR 95% DE SATISFAÇÃO DOS USUÁRIOS ATÉ 2026", "",
     [("percentage", 95, None, "target")]),
    ("EXPANSÃO DO EMERGÊNCIA MG COM 853 MUNICÍPIOS", "",
     [("count", 853, "municípios", "exact")]),
    ("ALCANÇAR MAIS DE 1.000 SERVIÇOS DIGITAIS", "",
     [("count", 1000, "serviços", "at_least")]),
]


@pytest.mark.parametrize(("title", "body", "expected"), TITLES, ids=[t[:40] for t, _, _ in TITLES])
def test_goal_titles_make_targets(title, body, expected):
    check(run(f"{title}\n\n{body}", title_end=len(title)), expected)


# Not counts (EXTRACTION-GUIDE.md): identifiers, ordinals, articles, versions, dates,
# phones, addresses, URLs; nothing at all may be emitted for these.
NEGATIVES = [
    "Decreto nº 48.937/2024",
    "foi formalizada no Decreto nº 48.937, de 06 de novembro de 2024",
    "Decreto Federal nº 12.069, de 21 de junho de 2024",
    "Lei 13.709/2018",
    "Lei nº 14.133, de 1º de abril de 2021",
    "Alô, Minas - Fase 2",
    "Alô, Minas - Fase I",
    "PPSI - Ciclos 1 e 2:",
    "Lote 3",
    "conforme o item 9 do edital",
    "os serviços 4 e 5 já estão disponíveis",
    "CNPJ 12.345.678/0001-90",
    "CPF 123.456.789-00",
    "certificação ISO 27001",
    "Solicitação da 2°Via da CNH",
    "SOLICITAÇÃO ONLINE DA 2ª VIA DA CIN (REIMPRESSÃO DA 1ª VIA)",
    "módulo do contador de avos do 13° salário",
    "No 1º quadrimestre de 2025 foi finalizado",
    "1º bimestre de 2025",
    "primeiro mês de operação",
    "realizou um piloto teste",
    "uma série de IA's",
    "IMPLANTAR A REDE GOVERNO 4.0",
    "Diagnóstico de Maturidade em Privacidade 2.0",
    "Telefone: (31) 3915-0000",
    "CEP 30130-000",
    "CEP 18.660-000",
    "https://desenvolvimento.mg.gov.br/inicio/projetos/projeto/1071",
    "- 1. Dados Aids/HIV SES (jan/24)",
    "- 5. Reconhecimento de cursos\n- 6 Autorização de funcionamento\n- 7. Recredenciamento",
    "Em 2024 todas as unidades prestaram o serviço",
    "emitido a partir de 2021",
    "no período 2024 - 2026",
    "entre 2024 e 2025",
    "Estatísticas (dez/23 a out/25):",
    "- 2024: Timóteo.",
    "Implantando no dia 31 de outubro de 2025.",
    "- 28 de fevereiro de 2024 (Pauta: Automação.MG e Almoxarifado Virtual)",
    "Matriz de Correspondência da Fonte de Recursos STN 710/2021. SEPLAG (Fev/24)",
    "*Dados até de 07 de março de 2022, às 15h05min",
    "Edição: 697",
    "Diário Oficial do Município de Pratânia/SP – Edição n° 136",
    "Boletim N°: 26/2010",
    "Processo SEI nº 1500.01.0012345/2024-12",
    "Rua da Bahia, 1600",
    "tecnologia 5G nas escolas",
    "casos de COVID-19",
    "Três Corações e Sete Lagoas",
    "ÁREA TEMÁTICA 4 PRIVACIDADE E SEGURANÇA",
    "185. 551",
    "Anexo II do Decreto",
    # clock times, stamps, hotlines and "uma única vez" are not facts (guide)
    "Emitido em: 12/ago/2019 10h e 05m",
    "Inscrições até as 23:59h do último dia",
    "A sessão começou às 09:40 no auditório",
    "reunião das 9h e 30min até o meio-dia",
    "Página 1 de 3",
    "Disque-Saúde (136)",
    "a dose é aplicada uma única vez",
    # age limits bound a group, they report no state of things
    "Teste ergométrico para militares com idade igual ou superior a 35 anos;",
    "vacinação de pessoas com 60 anos ou mais",
    "candidatos com idade mínima de 18 anos",
    # a figure followed by "ou mais", "ou menos" ... bounds a class: a criterion, no fact
    "Quando em 80% ou mais de um conjunto de amostras obtidas no mesmo local",
    "pacientes com 10 dias ou mais de sintomas",
    "imóveis avaliados em R$ 500 mil ou menos",
    "municípios com índice de 0,7 ou superior",
    "Power Automate instalado em um ou mais de um computador",
    # a dash glued to a figure with no percent sign is a range or a bullet, no sign
    "saldo -5",
    "faixa 10-20% dos casos",
    "classes 1-50",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_numbers(text):
    assert run(text) == []


@pytest.mark.parametrize(
    ("digits", "value"),
    [("255.766", 255766), ("28,79", 28.79), ("4.774.499", 4774499), ("1785", 1785), ("0,75", 0.75),
     ("3.272.274,00", 3272274.0)],
)
def test_parse_numeral(digits, value):
    assert parse_numeral(digits) == pytest.approx(value)


@pytest.mark.parametrize(
    ("words", "value"),
    [("dez", 10), ("DEZ", 10), ("quinze", 15), ("mil", 1000), ("cento e vinte", 120),
     ("dois mil e quinhentos", 2500), ("vinte e um", 21), ("três milhões", 3000000), ("piloto", None)],
)
def test_parse_words(words, value):
    assert parse_words(words) == value


def test_count_span_and_confidence():
    text = "- 255.766 Acionamentos"
    (cand,) = run(text)
    assert text[cand.start : cand.end] == "255.766 Acionamentos"
    assert cand.extractor == "rules.count" and cand.confidence >= 0.9


def test_context_unit_is_less_sure():
    (cand,) = run("Ponto Digital: aprox. 6.000")
    assert cand.confidence < 0.8


def _copy_rules(tmp_path: Path) -> Path:
    dest = tmp_path / "rules"
    shutil.copytree(numbers_rules.rulebook.rules_dir(), dest)
    return dest


def test_rules_files_load():
    patterns = numbers_rules.load_rules()
    assert patterns.numbers.multipliers["milhões"] == 1_000_000
    assert "mais de" in patterns.qualifiers.direct.at_least


@pytest.mark.parametrize("name", ["numbers.yaml", "qualifiers.yaml", "units.yaml"])
def test_unknown_rules_key_fails(tmp_path, monkeypatch, name):
    dest = _copy_rules(tmp_path)
    data = yaml.safe_load((dest / name).read_text(encoding="utf-8"))
    data["unexpected_key"] = ["x"]
    (dest / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(dest))
    with pytest.raises(RulesError, match=name):
        numbers_rules.load_rules()


@pytest.mark.parametrize(("text", "expected"), [
    ("Atualmente, mais de 100\nmil transferências digitais foram realizadas.",
     [(100000.0, "transferências digitais", "at_least")]),
    ("A seguir, o número de\natendimentos em 2025:\n• 1° bimestre: 17.282\n• 2° bimestre: 18.542",
     [(17282.0, "atendimentos", "exact"), (18542.0, "atendimentos", "exact")]),
    ("A seguir, o número de atendimentos em 2025:\n1° bimestre\t17.282\n2° bimestre\t18.542",
     [(17282.0, "atendimentos", "exact"), (18542.0, "atendimentos", "exact")]),
    ("Município\tUnidades\nLavras\t12\nNova Lima\t3",
     [(12.0, "unidades", "exact"), (3.0, "unidades", "exact")]),
])
def test_counts_across_line_wraps_and_headerless_tables(text: str, expected: list) -> None:
    """A multiplier or an intro sentence wrapped onto the next line; a table with no header row."""
    from extractor.facts.pipeline import find_facts

    got = [(c.value, c.unit, c.qualifier)
           for c in find_facts(FactContext(text=text, status_date="2025-10")) if c.kind == "count"]
    assert got == expected


@pytest.mark.parametrize("text", ["perfazendo o total de R$\n64.298.492,83 no exercício",
                                  "o total de R$\n64.298.492,83 (sessenta e quatro milhões, duzentos e noventa e oito "
                                  "mil, quatrocentos e noventa e dois reais e oitenta e três centavos)"])
def test_money_whose_sign_ends_the_line_before_is_placed_at_its_figure(text):
    """A fact's page and box are those of its figure, not of an "R$" left on the line (or page) before."""
    [cand] = run(text)
    assert (cand.kind, cand.value) == ("money", 64298492.83)
    assert text[cand.start:].startswith("64.298.492,83")
