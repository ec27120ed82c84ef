"""The report's status month (EXTRACTION-GUIDE.md, "Status date" and "More settled cases").

When a report names the period its figures refer to, the end of that period is the
status date, over the issue or signing date; otherwise a stated as-of date, then the
cover or masthead date; null when nothing is printed. Phrases are our own, in the
ways fiscal statements, decrees, indicator reports and decks write them; the layouts
are generated PDFs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts.pipeline import reference_end
from extractor.pipeline import extract_pdf
from extractor.report_date import REFERENCE_FILE, ReferenceRules, reference_rules
from tests.pdfmaker import slide_pdf


@pytest.mark.parametrize(("phrase", "month"), [
    ("01/01/2017 a 31/12/2017", "2017-12"),
    ("6º Bimestre/2025", "2025-12"),
    ("2º bimestre de 2017", "2017-04"),
    ("2013 / 6º Bimestre", "2013-12"),          # the year written apart from its part
    ("2022", "2022-12"),                         # a year alone ends in December
    ("2020-2024", "2024-12"),
    ("29/11/2019 a 29/01/2022", "2022-01"),
    ("dezembro de 2023", "2023-12"),
    ("Relatório anual", None),
    ("", None),
])
def test_a_reference_period_gives_the_month_it_ends_in(phrase: str, month: str | None) -> None:
    assert reference_end(phrase) == month


def _cue_rest(line: str) -> str | None:
    patterns, _ = reference_rules()
    for pat in patterns:
        hit = pat.search(line)
        if hit:
            return hit.group("rest")
    return None


@pytest.mark.parametrize(("line", "month"), [
    ("Período: 01/01/2017 a 31/12/2017", "2017-12"),
    ("Convênio: ROYALTIES – Período: 01/04/2019 a 30/06/2019", "2019-06"),
    ("Período de Referência: 6º Bimestre/2025", "2025-12"),
    ("→ Período de análise: 29/11/2019 a 29/01/2022", "2022-01"),
    ("Ano / Período: 2013 / 6º Bimestre", "2013-12"),
    ("Exercício: 2021", "2021-12"),
    ("considerando a receita do 2º bimestre de 2017, fica limitado o empenho", "2017-04"),
    ("a arrecadação até o 3º quadrimestre de 2024 ficou abaixo", "2024-12"),
    ("Relatório dos indicadores aferidos até 2022", "2022-12"),
    ("dados apurados em setembro de 2023", "2023-09"),
    ("Avaliação da estratégia – ciclo 2020-2024", "2024-12"),
    ("Plano Estratégico ciclo 2021/2023", "2023-12"),
    # the part of a fiscal year written before what it measures
    ("CONSIDERANDO que, no 2.º bimestre do exercício de 2017, a Receita realizada", "2017-04"),
    ("até o 1º semestre do exercício financeiro de 2023 a despesa", "2023-06"),
    # the year the collected results are about, its halves named after it
    ("solicita os resultados, referentes ao ano de 2024 (1º e 2º semestre), a fim de", "2024-12"),
    ("dados relativos ao exercício de 2019, conforme", "2019-12"),
])
def test_reference_cues_name_the_period_figures_refer_to(line: str, month: str) -> None:
    assert reference_end(_cue_rest(line)) == month


@pytest.mark.parametrize("line", [
    "Cachoeiro de Itapemirim, 25 de janeiro de 2018.",
    "No primeiro semestre foram atendidas 300 famílias",
    "A equipe do ciclo de palestras",
    "Brasília, 10 de junho de 2017",
    "no 2º semestre a equipe cresceu",
    "referentes ao ofício de 2024",
])
def test_issue_dates_and_loose_parts_are_no_reference(line: str) -> None:
    rest = _cue_rest(line)
    assert rest is None or reference_end(rest) is None


def _a4(path: Path, pages: list[list[str]], header: str | None = None,
        header_at: tuple[float, float, float] = (60, 815, 8), cover: list[str] | None = None) -> Path:
    """A4 pages of body lines; ``header`` is drawn on every page at ``header_at`` (x, y,
    size: by default in the top margin); ``cover`` lines make a first page without it."""
    c = canvas.Canvas(str(path))
    if cover:
        c.setFont("Helvetica-Bold", 26)
        for k, text in enumerate(cover):
            c.drawString(80, 420 - 40 * k, text)
        c.showPage()
    for lines in pages:
        if header:
            c.setFont("Helvetica", header_at[2])
            c.drawString(header_at[0], header_at[1], header)
        y = 680
        for text in lines:
            c.setFont("Helvetica", 11)
            c.drawString(60, y, text)
            y -= 18
        c.showPage()
    c.save()
    return path


def test_a_decree_on_a_bimestre_speaks_as_of_its_end_not_its_signing(tmp_path: Path) -> None:
    pdf = _a4(tmp_path / "decreto.pdf", [[
        "DECRETO Nº 1.234, DE 13 DE JUNHO DE 2017",
        "Dispõe sobre a limitação de empenho.",
        "Considerando a receita do 2º bimestre de 2017, abaixo da meta fiscal,",
        "fica limitado o empenho das despesas.",
        "Prefeitura Municipal, 13 de junho de 2017.",
    ]])
    assert extract_pdf(pdf).report.status_date == "2017-04"


def test_a_running_header_period_beats_the_signing_date(tmp_path: Path) -> None:
    header = "BALANCETE FINANCEIRO – Período: 01/01/2017 a 31/12/2017"
    body = [["RECEITA REALIZADA", "Saldo anterior em 31/12/2016 1.082.111,55"],
            ["DESPESA EFETUADA", "Serviços de terceiros 13.321,00"],
            ["Notas explicativas", "Cidade Alta, 25 de janeiro de 2018."]]
    result = extract_pdf(_a4(tmp_path / "balancete.pdf", body, header=header))
    assert result.report.status_date == "2017-12"
    periods = [e for e in result.report.extractions if e.kind == "period"]
    periods += [e for it in result.initiatives for e in it.extractions if e.kind == "period"]
    assert {(e.page, e.value.start, e.value.end) for e in periods} == {(1, "2017-01-01", "2017-12-31")}


def test_a_deck_without_a_date_speaks_as_of_its_analysis_period(tmp_path: Path) -> None:
    slides = [[("Impactos da pandemia nas viagens", 40, True), ("Equipe de análise de dados", 20, False)]]
    slides += [[(f"Resultados {n}", 28, True), ("Queda de 65% nas viagens", 18, False)] for n in range(2, 6)]
    slides += [[("Metodologia", 28, True), ("Período: 29/11/2019 a 29/01/2022", 18, False)]]
    assert extract_pdf(slide_pdf(tmp_path / "deck.pdf", slides)).report.status_date == "2022-01"


def test_a_stated_status_beats_a_period_named_late_in_the_deck(tmp_path: Path) -> None:
    slides = [[("Painel de Iniciativas", 40, True), ("STATUS: OUTUBRO 2025", 24, False)]]
    slides += [[(f"Iniciativa {n}", 28, True), ("Foram 120 atendimentos no mês.", 18, False)] for n in range(2, 5)]
    slides += [[("Histórico", 28, True), ("Período: 01/01/2019 a 31/12/2020", 18, False)]]
    assert extract_pdf(slide_pdf(tmp_path / "deck.pdf", slides)).report.status_date == "2025-10"


def test_no_printed_date_still_means_no_status_month(tmp_path: Path) -> None:
    slides = [[("Fluxo de férias", 40, True), ("Automação do lançamento", 20, False)],
              [("Resultados", 28, True), ("Foram 120 lançamentos automáticos.", 18, False)]]
    assert extract_pdf(slide_pdf(tmp_path / "deck.pdf", slides)).report.status_date is None


def test_rules_file_loads_and_forbids_unknown_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rulebook.load(REFERENCE_FILE, ReferenceRules).first_pages >= 1
    (tmp_path / REFERENCE_FILE).write_text("reference_patterns: ['x(?P<rest>.+)']\nfirst_pages: 3\nstamp_patterns: [x]\nissue_patterns: [x]\nextra: 1\n",
                                           encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(tmp_path))
    with pytest.raises(RulesError):
        rulebook.load(REFERENCE_FILE, ReferenceRules)


def test_an_emission_stamp_gives_one_date_on_its_first_page(tmp_path: Path) -> None:
    c = canvas.Canvas(str(tmp_path / "relatorio.pdf"))
    for n in (1, 2, 3):
        c.setFont("Helvetica", 8)
        c.drawString(60, 30, f"Emitido em: 12/ago/2019 10h e 05m     Página {n} de 3")
        c.setFont("Helvetica", 11)
        c.drawString(60, 740, f"Quadro {n}: atendimentos realizados no mês")
        c.drawString(60, 720, f"Foram {n * 100} atendimentos presenciais.")
        c.showPage()
    c.save()
    result = extract_pdf(tmp_path / "relatorio.pdf")
    facts = list(result.report.extractions) + [e for it in result.initiatives for e in it.extractions]
    assert [(e.page, e.value) for e in facts if e.kind == "date"] == [(1, "2019-08-12")]


@pytest.mark.parametrize(("lines", "month"), [
    (["DESPACHO", "Encaminhe-se o plano de aplicação para análise da equipe técnica.",
      "Documento assinado eletronicamente por Fulano de Tal, Chefe, em 15/01/2026, às 10:32."], "2026-01"),
    (["OFÍCIO CIRCULAR", "Solicitamos o envio das informações pedidas.", "Maceió, 3 de março de 2025."], "2025-03"),
    (["NOTA TÉCNICA", "Porto Velho - RO, 22 de outubro de 2024", "Assunto: vacinação nas escolas."], "2024-10"),
    # a place without a date is no dateline; nothing printed means no status month
    (["NOTA TÉCNICA", "Belo Horizonte, Minas Gerais", "Assunto: vacinação nas escolas."], None),
])
def test_the_issue_or_signing_date_is_the_last_resort(tmp_path: Path, lines: list[str], month: str | None) -> None:
    assert extract_pdf(_a4(tmp_path / "despacho.pdf", [lines])).report.status_date == month


def _bulletin(path: Path, cover_date: str, banner_date: str, pages: list[list[str]], banner_y: float,
              banner_size: float = 16) -> Path:
    """A cover with its date in the body, then pages under a banner whose date sits
    ``banner_y`` pt from the top: below the 10% margin, at the same place every page."""
    return _a4(path, pages, header=banner_date, header_at=(300, 842 - banner_y, banner_size),
               cover=["Boletim Epidemiológico", cover_date])


@pytest.mark.parametrize("banner_y", [100.0, 130.0, 160.0])
def test_a_dated_banner_repeated_below_the_margin_counts_once_on_its_first_page(tmp_path: Path,
                                                                              banner_y: float) -> None:
    body = [[f"SITUAÇÃO {n}", f"Foram {10 * n} atendimentos na semana."] for n in range(1, 5)]
    result = extract_pdf(_bulletin(tmp_path / "b.pdf", "1º de maio de 2020", "1º de maio de 2020", body, banner_y))
    facts = [*result.report.extractions, *(e for it in result.initiatives for e in it.extractions)]
    assert sorted(e.page for e in facts if e.kind == "date" and e.value == "2020-05-01") == [1]
    assert result.report.status_date == "2020-05"


def test_a_dated_line_on_two_pages_only_stays_a_fact(tmp_path: Path) -> None:
    """Two pages are no masthead: each page's dated line is read as written."""
    body = [["SITUAÇÃO NORTE", "Foram 10 atendimentos."], ["SITUAÇÃO SUL", "Foram 20 atendimentos."]]
    result = extract_pdf(_bulletin(tmp_path / "b.pdf", "Boletim semanal", "3 de junho de 2021", body, 130.0,
                                   banner_size=11))
    facts = [*result.report.extractions, *(e for it in result.initiatives for e in it.extractions)]
    assert sorted(e.page for e in facts if e.kind == "date" and e.value == "2021-06-03") == [2, 3]
