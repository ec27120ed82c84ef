"""Lists of labelled figures ("- Palhoça - 1" under "ÓBITOS POR MUNICÍPIO"): counts whose
unit is what the list's caption counts, and places read as list items."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import yaml

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts.base import FactContext
from extractor.facts.label_lists import LABEL_LISTS_FILE, LabelListRules
from extractor.facts.municipalities import find_municipalities
from extractor.facts.numbers import find_numbers

NLP = spacy.blank("pt")


def counts(text: str) -> list[tuple[float, str | None]]:
    found = find_numbers(NLP(text), FactContext(text=text, status_date="2020-05"))
    return [(c.value, c.unit) for c in found if c.kind == "count"]


@pytest.mark.parametrize(("text", "expected"), [
    ("ÓBITOS POR MUNICÍPIO E MACRORREGIÃO\nGRANDE FLORIANÓPOLIS - 10\n- Antônio Carlos - 3\n- Palhoça - 1\n"
     "- São José - 6", [(10, "óbitos"), (3, "óbitos"), (1, "óbitos"), (6, "óbitos")]),
    # two lists side by side, their cells split by a tab
    ("Casos confirmados por município\n• Blumenau - 194\t• Criciúma - 121\n• Brusque - 44\t• Laguna - 8\n"
     "• Gaspar - 20\t• Orleans - 12", [(194, "casos confirmados"), (121, "casos confirmados"),
                                        (44, "casos confirmados"), (8, "casos confirmados"),
                                        (20, "casos confirmados"), (12, "casos confirmados")]),
    # a scanned page's bullets and dashes as OCR reads them
    ("Vacinas aplicadas segundo regional\n* Norte – 1.250\n« Sul – 980\n+ Leste – 47",
     [(1250, "vacinas aplicadas"), (980, "vacinas aplicadas"), (47, "vacinas aplicadas")]),
    # no caption: still counts (their noun is left out), with no unit
    ("- Centro - 12\n- Norte - 7\n- Sul - 3", [(12, None), (7, None), (3, None)]),
])
def test_a_list_of_labelled_figures_counts_what_its_caption_counts(text, expected) -> None:
    assert counts(text) == expected


@pytest.mark.parametrize("text", [
    "Endereço: Rua Central - 55",
    "Sede - 12\nTelefone da sede",
])
def test_a_lone_dashed_figure_is_no_list(text) -> None:
    assert [u for _, u in counts(text) if u and "óbitos" in u] == []
    assert len(counts(text)) <= 1


def test_places_of_a_labelled_list_are_read_as_items() -> None:
    text = ("ÓBITOS POR MUNICÍPIO\n- Palhoça - 1\n- Penha - 2\n- Concórdia - 1\n- Florianópolis - 5\n"
            "- Tubarão - 3")
    got = [c.name for c in find_municipalities(NLP(text), FactContext(text, home_uf="SC"))]
    assert got == ["Palhoça", "Penha", "Concórdia", "Florianópolis", "Tubarão"]


def test_rules_file_loads_and_forbids_unknown_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rulebook.load(LABEL_LISTS_FILE, LabelListRules)
    data = yaml.safe_load((rulebook.rules_dir() / LABEL_LISTS_FILE).read_text(encoding="utf-8"))
    (tmp_path / LABEL_LISTS_FILE).write_text(yaml.safe_dump({**data, "extra": 1}), encoding="utf-8")
    monkeypatch.setenv("RELATO_RULES_DIR", str(tmp_path))
    with pytest.raises(RulesError):
        rulebook.load(LABEL_LISTS_FILE, LabelListRules)


@pytest.mark.parametrize(("text", "expected"), [
    # each figure alone on its line, its label on the next, under the caption
    ("CASOS CONFIRMADOS POR MACRORREGIÃO DE SAÚDE\n83\nGrande Oeste\n36\nOutros estados\n216\nPlanalto Norte\n"
     "e Nordeste", [(83, "casos confirmados"), (36, "casos confirmados"), (216, "casos confirmados")]),
    ("Atendimentos por regional\n1.204\nNorte\n877\nSul", [(1204, "atendimentos"), (877, "atendimentos")]),
])
def test_a_panel_of_figures_counts_what_its_caption_counts(text, expected) -> None:
    assert counts(text) == expected


def test_a_panel_ends_at_the_next_heading() -> None:
    """The figures under a heading that says no "por" are not the caption's above."""
    text = "ÓBITOS POR REGIÃO\n4\nNorte\nOCUPAÇÃO DE LEITOS (SUS E REDE PRIVADA)\nSUS\n67"
    assert (4, "óbitos") in counts(text)
    assert all(u != "óbitos" for v, u in counts(text) if v == 67)
