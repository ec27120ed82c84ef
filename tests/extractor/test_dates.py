"""Date and period finder: real report phrasings, their values, and what must not match."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import spacy
import yaml
from reportlab.pdfgen import canvas

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts.base import FactContext
from extractor.facts.dates import find_dates
from extractor.pipeline import extract_pdf
from extractor.facts.dates_rules import MONTHS_FILE, PERIODS_FILE, MonthRules, PeriodRules

NLP = spacy.blank("pt")


def run(text: str, status: str | None = "2025-10", title_end: int = 0) -> list[tuple[str, str, Any]]:
    ctx = FactContext(text=text, title_end=title_end, status_date=status)
    return [(c.kind, text[c.start : c.end], c.value) for c in find_dates(NLP(text), ctx)]


def P(start: str, end: str) -> dict[str, str]:
    return {"start": start, "end": end}


# (text, expected facts in text order); status date 2025-10 unless a year comes first.
POSITIVES: list[tuple[str, list[tuple[str, str, Any]]]] = [
    # full days
    ("formalizada no Decreto nº 48.937, de 06 de novembro de 2024, alinhada",
     [("date", "06 de novembro de 2024", "2024-11-06")]),
    ("(Decreto Federal nº 12.069, de 21 de junho de 2024)", [("date", "21 de junho de 2024", "2024-06-21")]),
    ("Implantando em todas as UAIs no dia 31 de outubro de 2025.", [("date", "31 de outubro de 2025", "2025-10-31")]),
    ("- 28 de fevereiro de 2024 (Pauta: Automação.MG)", [("date", "28 de fevereiro de 2024", "2024-02-28")]),
    ("- 03 de dezembro de 2024 (Pauta: Estratégia)", [("date", "03 de dezembro de 2024", "2024-12-03")]),
    ("publicado em 6 de novembro de\n2024 no Diário Oficial", [("date", "6 de novembro de\n2024", "2024-11-06")]),
    ("assinado em 1º de março de 2025", [("date", "1º de março de 2025", "2025-03-01")]),
    ("Publicação em 6/11/2024.", [("date", "6/11/2024", "2024-11-06")]),
    ("Publicação em 06.11.2024.", [("date", "06.11.2024", "2024-11-06")]),
    ("prazo final 30/06/25 para adesão", [("date", "30/06/25", "2025-06-30")]),
    ("29/02/2024 foi o último dia", [("date", "29/02/2024", "2024-02-29")]),
    # months with a year
    ("Em dezembro de 2024 foi expandido para todas as escolas", [("date", "dezembro de 2024", "2024-12")]),
    ("No mês de janeiro de 2025 foi disponibilizada a funcionalidade", [("date", "janeiro de 2025", "2025-01")]),
    ("Disponibilizado em novembro de 2024 para todos os municípios", [("date", "novembro de 2024", "2024-11")]),
    ("atingiu 4.774.499 CIN's emitidas até setembro de 2025,", [("date", "setembro de 2025", "2025-09")]),
    ("Os novos contratos estão vigentes desde maio de 2025 (vigência de 5 anos)", [("date", "maio de 2025", "2025-05")]),
    ("prorrogados até maio de 2026 para viabilizar", [("date", "maio de 2026", "2026-05")]),
    ("início das instalações a partir de outubro de 2026.", [("date", "outubro de 2026", "2026-10")]),
    ("Ata vigente até setembro de 2026 com possibilidade", [("date", "setembro de 2026", "2026-09")]),
    ("Entrega prevista para novembro/2024.", [("date", "novembro/2024", "2024-11")]),
    ("(2.500 processos analisados até outubro/25)", [("date", "outubro/25", "2025-10")]),
    ("(1785 processos analisados e lançados até out/25).", [("date", "out/25", "2025-10")]),
    ("- RP Desenvolvimento Ágil (jan/24);", [("date", "jan/24", "2024-01")]),
    ("- RP Outsourcing de Impressão fev/24);", [("date", "fev/24", "2024-02")]),
    ("- RP Desktops e Notebooks (mar/24);", [("date", "mar/24", "2024-03")]),
    ("- 7. Matriz de Correspondência da Fonte de Recursos STN 710/2021. SEPLAG (Fev/24)",
     [("date", "Fev/24", "2024-02")]),
    ("- 9. Instituições Cadastradas FAPEMIG (Out/24)", [("date", "Out/24", "2024-10")]),
    ("- 17. Reembolso Médico IPSEMG (Mai/25)", [("date", "Mai/25", "2025-05")]),
    ("NOV/2025: Nova rodada do Diagnóstico de Maturidade", [("date", "NOV/2025", "2025-11")]),
    ("OUT/2025: Reativação do GTSI (Grupo de trabalho de", [("date", "OUT/2025", "2025-10")]),
    ("STATUS: OUTUBRO 2025", [("date", "OUTUBRO 2025", "2025-10")]),
    ("previsto para MARCO 2025", [("date", "MARCO 2025", "2025-03")]),
    ("em 12/2024 foi concluída a migração", [("date", "12/2024", "2024-12")]),
    ("Dez/2023: início da operação", [("date", "Dez/2023", "2023-12")]),
    # bare years in a year context
    ("Em 2024 todas as unidades prestaram o serviço", [("date", "2024", "2024")]),
    ("Em 2025, pretende-se expandir a prestação", [("date", "2025", "2025")]),
    ("A seguir, o número de atendimentos em 2025:", [("date", "2025", "2025")]),
    ("Implantação da fase 1 abrangendo 465 municípios em 2024.", [("date", "2024", "2024")]),
    ("CRV-e emitido a partir de 2021 e a venda assinada", [("date", "2021", "2021")]),
    ("veículos com documentos físicos emitidos antes de 2021, com previsão", [("date", "2021", "2021")]),
    ("7 MILHÕES DE CARTEIRAS DE IDENTIDADE NACIONAL (CIN) EMITIDAS ATÉ 2026", [("date", "2026", "2026")]),
    ("- Em andamento durante 2025:", [("date", "2025", "2025")]),
    ("- 2024: Timóteo.", [("date", "2024", "2024")]),
    ("- 2025: Ribeirão das Neves, Teófilo Otoni, Lavras", [("date", "2025", "2025")]),
    ("O SEI! Municípios é um projeto criado em 2024 com o objetivo", [("date", "2024", "2024")]),
    ("Encontros realizados em 2024:", [("date", "2024", "2024")]),
    ("150 novas localidades ativadas em 2024 no Alô, Minas - Fase I", [("date", "2024", "2024")]),
    ("Em 2024 foram replicados alguns processos do SIAFI", [("date", "2024", "2024")]),
    ("alcançar 7 milhões, rumo à meta de 2026", [("date", "2026", "2026")]),
    ("no ano de 2023 houve queda", [("date", "2023", "2023")]),
    ("Em 2024 e 2025 foram realizados encontros", [("date", "2024", "2024"), ("date", "2025", "2025")]),
    ("Ano\tAtendimentos\n2024\t90.000", [("date", "2024", "2024")]),
    # periods
    ("- Estatísticas (dez/23 a out/25):", [("period", "dez/23 a out/25", P("2023-12", "2025-10"))]),
    ("30.618 teleconsultorias realizadas entre setembro/24 e outubro/25.",
     [("period", "setembro/24 e outubro/25", P("2024-09", "2025-10"))]),
    ("executadas no período 2024 - 2026.", [("period", "2024 - 2026", P("2024", "2026"))]),
    ("INICIATIVAS DE GOVERNO DIGITAL 2024-2026", [("period", "2024-2026", P("2024", "2026"))]),
    ("Plano Plurianual 2024–2027", [("period", "2024–2027", P("2024", "2027"))]),
    ("Publicadas a seguintes atas de registro de preços entre 2024 e 2025:",
     [("period", "2024 e 2025", P("2024", "2025"))]),
    ("Foram publicados os seguintes conjunto de dados entre 2024 e 2025:",
     [("period", "2024 e 2025", P("2024", "2025"))]),
    ("de janeiro a março de 2025 foram registrados", [("period", "janeiro a março de 2025", P("2025-01", "2025-03"))]),
    ("de novembro a fevereiro de 2025", [("period", "novembro a fevereiro de 2025", P("2024-11", "2025-02"))]),
    ("entre os meses de setembro e outubro de 2025", [("period", "setembro e outubro de 2025", P("2025-09", "2025-10"))]),
    ("de 2022 a 2024 o programa atendeu", [("period", "2022 a 2024", P("2022", "2024"))]),
    ("vigência de março de 2024 até fevereiro de 2025", [("period", "março de 2024 até fevereiro de 2025",
                                                          P("2024-03", "2025-02"))]),
    ("de 06/11/2024 a 10/12/2024", [("period", "06/11/2024 a 10/12/2024", P("2024-11-06", "2024-12-10"))]),
    ("No 1º quadrimestre de 2025 foi finalizado o módulo", [("period", "1º quadrimestre de 2025", P("2025-01", "2025-04"))]),
    ("Já no 2º quadrimestre de 2025, foi iniciado", [("period", "2º quadrimestre de 2025", P("2025-05", "2025-08"))]),
    ("está estimada para ocorrer no segundo semestre de 2025.", [("period", "segundo semestre de 2025",
                                                                  P("2025-07", "2025-12"))]),
    ("Relatório do 1º bimestre de 2025", [("period", "1º bimestre de 2025", P("2025-01", "2025-02"))]),
    ("Relatório do 4º bimestre/2025", [("period", "4º bimestre/2025", P("2025-07", "2025-08"))]),
    ("no 1o semestre de 2024", [("period", "1o semestre de 2024", P("2024-01", "2024-06"))]),
    ("no 3° trimestre de 2024", [("period", "3° trimestre de 2024", P("2024-07", "2024-09"))]),
    ("METAS PARA O PRIMEIRO SEMESTRE DE 2026", [("period", "PRIMEIRO SEMESTRE DE 2026", P("2026-01", "2026-06"))]),
    ("Na primeira quadrimestre de 2024", [("period", "primeira quadrimestre de 2024", P("2024-01", "2024-04"))]),
    ("no sexto bimestre de 2024", [("period", "sexto bimestre de 2024", P("2024-11", "2024-12"))]),
    ("Janeiro a Junho 2025", [("period", "Janeiro a Junho 2025", P("2025-01", "2025-06"))]),
    ("safra 2024/2025", [("period", "2024/2025", P("2024", "2025"))]),
    ("inscrições de 22/08 a 30/09/2025", [("period", "22/08 a 30/09/2025", P("2025-08-22", "2025-09-30"))]),
    ("em 2024, 2025 e 2026", [("date", "2024", "2024"), ("date", "2025", "2025"), ("date", "2026", "2026")]),
    ("Lei nº 14.133, de 1º de abril de 2021", [("date", "1º de abril de 2021", "2021-04-01")]),
    ("jun/jul 2025: testes", [("period", "jun/jul 2025", P("2025-06", "2025-07"))]),
    # a half of the year written as a number after its year, as a results list labels it
    ("Resultado:\n● 2021/1: 1.322 alvarás emitidos\n● 2021/2: 1.359 alvarás emitidos",
     [("period", "2021/1", P("2021-01", "2021-06")), ("period", "2021/2", P("2021-07", "2021-12"))]),
    ("R$ 646.131,51 (Valor executado 2024.1)", [("period", "2024.1", P("2024-01", "2024-06"))]),
    ("- 2019/2: 2,59% de vistorias", [("period", "2019/2", P("2019-07", "2019-12"))]),
    # two parts of a year sharing one noun: the first borrows it (and the year after it)
    ("dados do 1º e 2º semestres de 2023", [("period", "1º", P("2023-01", "2023-06")),
                                           ("period", "2º semestres de 2023", P("2023-07", "2023-12"))]),
    ("no primeiro e no segundo bimestre de 2024 houve", [("period", "primeiro", P("2024-01", "2024-02")),
                                                        ("period", "segundo bimestre de 2024", P("2024-03", "2024-04"))]),
    # a span between two parts of years is one period
    ("entre o segundo semestre de 2022 e o segundo semestre de 2023, as metas",
     [("period", "segundo semestre de 2022 e o segundo semestre de 2023", P("2022-07", "2023-12"))]),
    ("do 1º trimestre de 2024 ao 3º trimestre de 2024", [("period", "1º trimestre de 2024", P("2024-01", "2024-03")),
                                                         ("period", "3º trimestre de 2024", P("2024-07", "2024-09"))]),
    ("de 1º bimestre de 2024 a 3º bimestre de 2025",
     [("period", "1º bimestre de 2024 a 3º bimestre de 2025", P("2024-01", "2025-06"))]),
    # a part of a fiscal year: its year after "do exercício (financeiro) de"
    ("no 2.º bimestre do exercício de 2017, a Receita", [("period", "2.º bimestre do exercício de 2017",
                                                          P("2017-03", "2017-04"))]),
    ("1º semestre do exercício financeiro de 2024", [("period", "1º semestre do exercício financeiro de 2024",
                                                     P("2024-01", "2024-06"))]),
    # a citation's access date written without "de"
    ("Acesso em: 1 maio 2020, 18h35", [("date", "1 maio 2020", "2020-05-01")]),
    ("9 Abril/2017", [("date", "Abril/2017", "2017-04")]),  # a row number before a month is no day
    # a part of the current year is of the report's year, whatever year came before
    ("Em 2024 o saldo NÃO APLICADO ATÉ O PRIMEIRO QUADRIMESTRE DO EXERCÍCIO ATUAL",
     [("date", "2024", "2024"), ("period", "PRIMEIRO QUADRIMESTRE DO EXERCÍCIO ATUAL", P("2025-01", "2025-04"))]),
    ("no 2º semestre deste ano", [("period", "2º semestre deste ano", P("2025-07", "2025-12"))]),
    # two years, the second written short
    ("Ciclo 2023/24: 9 novos projetos", [("period", "2023/24", P("2023", "2024"))]),
    ("| 2020/21 | 2022 |", [("period", "2020/21", P("2020", "2021"))]),
]

# Months, parts of a year and day/month written without a year (guide, year rule).
YEAR_RULE: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("Em 2024 a equipe iniciou os testes e em setembro concluiu a etapa.",
     [("date", "2024", "2024"), ("date", "setembro", "2024-09")]),
    ("Em 2025, estão previstas ações.\nJAN: Início da implantação\nJUN/JUL: Consolidação das fases\n"
     "AGO: Definição da ações\nSET/OUT: Revisão avaliação ABEP-TIC",
     [("date", "2025", "2025"), ("date", "JAN", "2025-01"), ("period", "JUN/JUL", P("2025-06", "2025-07")),
      ("date", "AGO", "2025-08"), ("period", "SET/OUT", P("2025-09", "2025-10"))]),
    ("PPSI - Ciclos 1 e 2:\nJAN: Início da implantação", [("date", "JAN", "2025-01")]),
    ("OUT/2025: Reativação do GTSI\nMAIO/JUN: Aplicação do diagnóstico",
     [("date", "OUT/2025", "2025-10"), ("period", "MAIO/JUN", P("2025-05", "2025-06"))]),
    ("emitido a partir de 2021. Lançada a versão no mês de fevereiro e para despachantes no mês de março de 2025.",
     [("date", "2021", "2021"), ("date", "fevereiro", "2025-02"), ("date", "março de 2025", "2025-03")]),
    ("em março e abril de 2025", [("date", "março", "2025-03"), ("date", "abril de 2025", "2025-04")]),
    ("em março de 2025 ou abril", [("date", "março de 2025", "2025-03"), ("date", "abril", "2025-04")]),
    ("concluído em julho ou agosto de 2024", [("date", "julho", "2024-07"), ("date", "agosto de 2024", "2024-08")]),
    ("março de 2025. No terceiro bimestre foi incorporado. No quarto bimestre iniciou-se",
     [("date", "março de 2025", "2025-03"), ("period", "terceiro bimestre", P("2025-05", "2025-06")),
      ("period", "quarto bimestre", P("2025-07", "2025-08"))]),
    ("o número de atendimentos em 2024:\n• 1° bimestre: 17.282\n2° bimestre: 18.542",
     [("date", "2024", "2024"), ("period", "1° bimestre", P("2024-01", "2024-02")),
      ("period", "2° bimestre", P("2024-03", "2024-04"))]),
    ("As migrações dos novos acessos serão iniciadas em setembro com previsão",
     [("date", "setembro", "2025-09")]),
    ("parcerias em março de 2025, com a publicação no início de julho.",
     [("date", "março de 2025", "2025-03"), ("date", "julho", "2025-07")]),
    ("iniciadas em julho, rumo à meta de 2026", [("date", "julho", "2025-07"), ("date", "2026", "2026")]),
    ("Cadastro aberto até 22/08.", [("date", "22/08", "2025-08-22")]),
    ("Em 2024 houve 3 encontros; o próximo em 15 de abril", [("date", "2024", "2024"),
                                                           ("date", "15 de abril", "2024-04-15")]),
    ("de janeiro a março", [("period", "janeiro a março", P("2025-01", "2025-03"))]),
    ("No segundo semestre será lançado", [("period", "segundo semestre", P("2025-07", "2025-12"))]),
    ("DEZ/JAN: recesso", [("period", "DEZ/JAN", P("2025-12", "2026-01"))]),
]

# Nothing here is a date or a period.
NEGATIVES: list[str] = [
    "conforme o Decreto nº 48.937/2024.",
    "Matriz de Correspondência da Fonte de Recursos STN 710/2021. SEPLAG",
    "adequação à Lei 13.709/2018 (LGPD)",
    "certificação ISO 27001:2022 concluída",
    "IMPLANTAR A REDE GOVERNO 4.0",
    "Diagnóstico de Maturidade em Privacidade 2.0:",
    "finalizado o módulo do contador de avos do 13° salário",
    "SOLICITAÇÃO ONLINE DA 2ª VIA DA CIN (REIMPRESSÃO DA 1ª VIA)",
    "Solicitação da 2°Via da CNH",
    "(1785 processos analisados e lançados)",
    "Trabalho realizado em lotes (2.500 processos analisados).",
    "atendimento 24 horas por dia, 7 dias por semana (24/7)",
    "Central de atendimento: (31) 3915-2024",
    "reunião às 15h05min na sala 2",
    "economia de R$ 2.024.000,00 e 2024% de aumento",
    "com foco no mar e nas praias",
    "um set de dados abertos",
    "soluções out-of-the-box",
    "o marco legal das startups",
    "IMPLANTAR O CONECTA GOV.BR PARA 10 (DEZ) SERVIÇOS PÚBLICOS",
    "dez anos de experiência",
    "oferta de até 2000 vagas em cursos",
    "cerca de 1950 escolas atendidas",
    "conforme a Resolução SEPLAG nº 12/2024",
    "Instrução Normativa STN 10/2021",
    "Lei Complementar 12/2024",
    "PPSI - Ciclos 1 e 2:",
    "alteração da periodicidade de aplicação de 3 para 6 meses",
    "mais de 4 mil processos executados",
    "Alô, Minas - Fase 2 que atenderá 41 novas localidades",
    "https://desenvolvimento.mg.gov.br/inicio/projetos/projeto/1071.",
    "Processo SEI nº 1500.01.0012345/2024-12",
    "Origem do atendimento: MGApp (68%), WebChat (28,79%)",
    "Nota 10/10 na avaliação",
    "versão 2021.3 do sistema",
    "Escola Estadual Sete de Setembro",
    "Nota 10/10 e 9/10",
    "oferta de até 2000 novas vagas",
    # a number after a year that is no part of it, or an identifier
    "Lei 2021/1 do município",
    "Processo E:01203.0000009001/2022",
    "resultado 2024/3 do lote",
    "em 2024/12 unidades",
    "placar de 2024/19",
    "taxa de 2024.5%",
    "Processo Seletivo de Preceptores, Seleção 2018/1, objeto do Edital",
    "aprovados no Vestibular 2024.2",
]


# Schedules (guide, "Schedules"): a task's start and end date are one period, its ends
# are no dates; a one-day task is a period with equal ends; a lone date is a date.
SCHEDULES: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("Elaborar o plano de trabalho 03/02/2014 a 17/02/2014",
     [("period", "03/02/2014 a 17/02/2014", P("2014-02-03", "2014-02-17"))]),
    ("Elaborar o plano de trabalho 03/02/2014 á 17/02/2014",
     [("period", "03/02/2014 á 17/02/2014", P("2014-02-03", "2014-02-17"))]),
    ("Elaborar o plano de trabalho 03/02/2014 - 17/02/2014",
     [("period", "03/02/2014 - 17/02/2014", P("2014-02-03", "2014-02-17"))]),
    ("Reunião de abertura 05/03/2014 a 05/03/2014",
     [("period", "05/03/2014 a 05/03/2014", P("2014-03-05", "2014-03-05"))]),
    ("Tarefa\tInício\tFim\nLevantar requisitos\t03/02/2014\t17/02/2014\nReunião\t05/03/2014\t05/03/2014",
     [("period", "03/02/2014\t17/02/2014", P("2014-02-03", "2014-02-17")),
      ("period", "05/03/2014\t05/03/2014", P("2014-03-05", "2014-03-05"))]),
    ("Etapa\tData de início\tData de término\nPiloto\t01/06/2021\t30/06/2021",
     [("period", "01/06/2021\t30/06/2021", P("2021-06-01", "2021-06-30"))]),
    ("Acompanhamento previsto para 20/03/2014.", [("date", "20/03/2014", "2014-03-20")]),
    # without a start/end header, two dates in a row's cells stay two dates
    ("Documento\tRecebido\tAnalisado\nRequerimento\t03/02/2014\t17/02/2014",
     [("date", "03/02/2014", "2014-02-03"), ("date", "17/02/2014", "2014-02-17")]),
    # an end before its start is no span
    ("Tarefa\tInício\tFim\nRevisão\t17/02/2014\t03/02/2014",
     [("date", "17/02/2014", "2014-02-17"), ("date", "03/02/2014", "2014-02-03")]),
]

# Stamps, weekdays, acts and dates that do not exist (guide, "More settled cases").
SETTLED: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("Emitido em: 12/ago/2019", [("date", "12/ago/2019", "2019-08-12")]),
    ("Impresso em 03-Mar-2021", [("date", "03-Mar-2021", "2021-03-03")]),
    ("SE 48 de 2019", [("date", "2019", "2019")]),
    ("casos notificados até a SE 12 de 2020", [("date", "2020", "2020")]),
    ("conforme a Lei nº 9.999, de 2019, que dispõe", [("date", "2019", "2019")]),
    ("Decreto nº 100, de 5 de maio de 2020", [("date", "5 de maio de 2020", "2020-05-05")]),
    ("a partir do segundo semestre de 2023", [("period", "segundo semestre de 2023", P("2023-07", "2023-12"))]),
    ("desde o 1º trimestre de 2022", [("period", "1º trimestre de 2022", P("2022-01", "2022-03"))]),
    ("prazo de 31/04/2021 a 10/05/2021 para envio", []),
    ("inscrições entre 30/02/2022 e 15/03/2022", []),
    ("entrega em 31/04/2021", []),
    ("CASOS CONFIRMADOS SEGUNDO LOCAL DE RESIDÊNCIA, MINAS GERAIS, 2020", [("date", "2020", "2020")]),
    ("Atendimentos por regional de saúde, 2021.", [("date", "2021", "2021")]),
    ("Total de casos, 2020 casos novos", []),
    ("foram 1.500 municípios, 2020", []),
    ("Coronavírus 2019 e a pandemia", []),
    ("até a semana epidemiológica 7", []),
]

# No year in the text and no status date (guide: "a month with no year anywhere").
YEARLESS: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("Quarta-feira, 09/04", [("date", "09/04", "--04-09")]),
    ("Sábado (12/07) haverá mutirão", [("date", "12/07", "--07-12")]),
    ("reunião na segunda-feira 03/11 às 9h", [("date", "03/11", "--11-03")]),
    ("as obras começam em janeiro", [("date", "janeiro", "--01")]),
    ("placar de 09/04 no jogo", []),
]


@pytest.mark.parametrize(
    ("text", "status", "expected"),
    [(t, None, e) for t, e in SCHEDULES] + [(t, "2025-10", e) for t, e in SETTLED]
    + [(t, None, e) for t, e in YEARLESS],
)
def test_schedules_settled_cases_and_yearless_dates(
        text: str, status: str | None, expected: list[tuple[str, str, Any]]) -> None:
    assert run(text, status=status) == expected


# Years that head a table's columns are dates; figures in a data row that look like
# years, or years out of order, are not (the guide: "a four-digit number in a count
# column is a count, not a year").
TABLE_YEARS: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("Objetivo\t2022\t2023\t2024\nGestão\t64,70%\t28,57%\t33,33%",
     [("date", "2022", "2022"), ("date", "2023", "2023"), ("date", "2024", "2024")]),
    ("\t\t2020/21\t2022\nGestão\t1\t61,90%\t28,57%",
     [("period", "2020/21", P("2020", "2021")), ("date", "2022", "2022")]),
    ("Município\t2019\t2020\nSanta Luzia\t1987\t2031\nLavras\t12\t15", [("date", "2019", "2019"), ("date", "2020", "2020")]),
    ("SANTA LUZIA\t1987\t2031", []),  # a data row alone
    ("Casos\t2019\t2020\nLavras\t1987\t2001\nPerdões\t12\t13", [("date", "2019", "2019"), ("date", "2020", "2020")]),
]


@pytest.mark.parametrize(("text", "expected"), TABLE_YEARS)
def test_years_heading_table_columns(text: str, expected: list[tuple[str, str, Any]]) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(("text", "expected"), POSITIVES)
def test_dates_and_periods(text: str, expected: list[tuple[str, str, Any]]) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(("text", "expected"), YEAR_RULE)
def test_year_rule(text: str, expected: list[tuple[str, str, Any]]) -> None:
    assert run(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_dates(text: str) -> None:
    assert run(text) == []


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("7 MILHÕES DE CIN EMITIDAS ATÉ 2026", "Próxima etapa em agosto.",
         [("date", "2026", "2026"), ("date", "agosto", "2026-08")]),
        ("MODERNIZAR O SISAP.MG", "Decreto nº 48.937/2024. Conclusão em dezembro.",
         [("date", "dezembro", "2025-12")]),
        ("METAS PARA 2023", "JAN: início", [("date", "2023", "2023"), ("date", "JAN", "2023-01")]),
    ],
)
def test_title_year_comes_first(title: str, body: str, expected: list[tuple[str, str, Any]]) -> None:
    assert run(f"{title}\n\n{body}", title_end=len(title)) == expected


@pytest.mark.parametrize(
    ("text", "source", "confidence_below"),
    [
        ("em 2024 e em setembro", "preceding", 0.9),
        ("em fevereiro e em março de 2025", "coordination", 0.9),
        ("JAN: início", "status", 0.8),
        ("em março de 2025", "explicit", 1.0),
    ],
)
def test_inferred_years_are_less_sure(text: str, source: str, confidence_below: float) -> None:
    cands = find_dates(NLP(text), FactContext(text=text, status_date="2025-10"))
    month = next(c for c in cands if len(c.value) == 7)
    assert month.extra["year_source"] == source
    assert month.confidence < confidence_below
    assert month.extractor == "rules.date"


def test_month_without_any_year_keeps_no_year_without_status_date() -> None:
    """Guide: a month with no year anywhere (no year before it, no status date) is --MM."""
    assert run("iniciadas em setembro", status=None) == [("date", "setembro", "--09")]
    assert run("iniciadas em setembro") == [("date", "setembro", "2025-09")]


def test_candidates_carry_extractor_ids() -> None:
    text = "entre 2024 e 2025, em maio de 2025"
    ids = {c.kind: c.extractor for c in find_dates(NLP(text), FactContext(text=text))}
    assert ids == {"period": "rules.period", "date": "rules.date"}


@pytest.mark.parametrize(("name", "model"), [(MONTHS_FILE, MonthRules), (PERIODS_FILE, PeriodRules)])
def test_rules_files_load(name: str, model: type) -> None:
    assert rulebook.load(name, model)


@pytest.mark.parametrize(
    ("name", "model", "path"),
    [
        (MONTHS_FILE, MonthRules, []),
        (MONTHS_FILE, MonthRules, ["months", 0]),
        (PERIODS_FILE, PeriodRules, []),
    ],
)
def test_unknown_rules_key_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, model: type, path: list[Any]
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), rules)
    data = yaml.safe_load((rules / name).read_text(encoding="utf-8"))
    node = data
    for key in path:
        node = node[key]
    node["mesess"] = ["typo"]
    (rules / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(rules))
    with pytest.raises(RulesError, match="mesess"):
        rulebook.load(name, model)


def test_month_list_must_be_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), rules)
    data = yaml.safe_load((rules / MONTHS_FILE).read_text(encoding="utf-8"))
    data["months"].pop()
    (rules / MONTHS_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(rules))
    with pytest.raises(RulesError, match="1..12"):
        rulebook.load(MONTHS_FILE, MonthRules)


def _schedule_pdf(path: Path, rows: list[tuple[str, str, str]], columns: tuple[float, float, float]) -> Path:
    """One A4 page: a title, a lone follow-up date, and a schedule table drawn in columns."""
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica-Bold", 16)
    c.drawString(60, 780, "CRONOGRAMA DO PROJETO")
    c.setFont("Helvetica", 11)
    c.drawString(60, 750, "Acompanhamento previsto para 20/03/2014.")
    for i, row in enumerate(rows):
        c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 10)
        for x, cell in zip(columns, row):
            c.drawString(x, 710 - 20 * i, cell)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize(("header", "columns"), [
    (("Tarefa", "Início", "Fim"), (60, 300, 370)),
    (("Etapa", "Data de início", "Data de término"), (60, 260, 360)),
])
def test_a_schedule_table_gives_one_period_per_task(tmp_path: Path, header: tuple[str, str, str],
                                                     columns: tuple[float, float, float]) -> None:
    rows = [header, ("Levantar requisitos", "03/02/2014", "17/02/2014"),
            ("Reunião de abertura", "05/03/2014", "05/03/2014"), ("Homologação", "10/03/2014", "28/03/2014")]
    result = extract_pdf(_schedule_pdf(tmp_path / "cronograma.pdf", rows, columns))
    facts = [e for it in result.initiatives for e in it.extractions] + list(result.report.extractions)
    periods = {(e.value.start, e.value.end) for e in facts if e.kind == "period"}
    assert periods == {("2014-02-03", "2014-02-17"), ("2014-03-05", "2014-03-05"), ("2014-03-10", "2014-03-28")}
    assert {e.value for e in facts if e.kind == "date"} == {"2014-03-20"}  # the lone follow-up date
