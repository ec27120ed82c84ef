"""The on-disk cache of compiled rules (extractor/cache.py): the same output with and
without it, rebuilt when its inputs change, never trusted when damaged or shared."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor import cache, rulebook
from extractor.errors import RulesError
from extractor.facts import gazetteer, municipalities, municipality_rules
from tests.conftest import PROJECT_CORPUS
from tests.pdfmaker import slide_pdf

_SCRIPT = Path(sys.executable).with_name("relato")
RELATO_EXTRACT = [str(_SCRIPT), "extract"] if _SCRIPT.exists() else [sys.executable, "-m", "extractor.cli"]
LOADERS = (gazetteer.gazetteer, municipality_rules.place_rules, municipality_rules.states_rules,
           municipalities.place_matcher, municipalities.place_heads, rulebook.cached_load)


def _forget() -> None:
    for loader in LOADERS:
        loader.cache_clear()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RELATO_CACHE_DIR", str(folder))
    monkeypatch.delenv("RELATO_CACHE", raising=False)
    _forget()
    yield folder
    _forget()


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Path:
    """A private copy of rules/ that a test may edit."""
    copy = tmp_path / "rules"
    shutil.copytree(rulebook.rules_dir(), copy)
    monkeypatch.setenv("RELATO_RULES_DIR", str(copy))
    return copy


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.pickle"))


def _extract(pdf: Path, env: dict[str, str]) -> bytes:
    proc = subprocess.run([*RELATO_EXTRACT, str(pdf)], capture_output=True, timeout=300,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.fixture(scope="module")
def places_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deck that needs every rule family: dates, counts, money, places of two states."""
    return slide_pdf(tmp_path_factory.mktemp("cache") / "places.pdf", [
        [("Painel de Iniciativas", 40, True), ("STATUS: OUTUBRO 2025", 24, False)],
        [("ATENDIMENTO REGIONAL", 24, True),
         ("Em 06 de novembro de 2024, 255.766 acionamentos (68%) e R$ 1,2 milhão", 16, False),
         ("em Belo Horizonte, Teófilo Otoni, Lavras e Vilhena/RO.", 16, False)],
        [("UMA LINHA SEM LUGAR", 24, True), ("Foram realizados 12 atendimentos.", 16, False)],
    ])


@pytest.mark.parametrize("pdf_name", ["places", "corpus"])
def test_extraction_is_byte_identical_without_cache_cold_and_warm(pdf_name: str, places_pdf: Path,
                                                                  tmp_path: Path) -> None:
    pdf = places_pdf if pdf_name == "places" else sorted(PROJECT_CORPUS.glob("*.pdf"))[0]
    folder = tmp_path / "cache"
    without = _extract(pdf, {"RELATO_CACHE": "off", "RELATO_CACHE_DIR": str(folder)})
    assert not folder.exists(), "RELATO_CACHE=off writes nothing"
    cold = _extract(pdf, {"RELATO_CACHE_DIR": str(folder)})
    assert _entries(folder), "a cold run fills the cache"
    warm = _extract(pdf, {"RELATO_CACHE_DIR": str(folder)})
    assert without == cold == warm


def test_an_edited_rules_file_is_read_again(rules_copy: Path, cache_dir: Path) -> None:
    assert ("perto", "de") not in municipality_rules.place_rules().place_cues
    first = cache.key(rules_copy)
    context = rules_copy / "municipalities" / "context.yaml"
    context.write_text(context.read_text(encoding="utf-8").replace(
        "place_cues:\n", "place_cues:\n  - perto de\n", 1), encoding="utf-8")
    _forget()
    assert ("perto", "de") in municipality_rules.place_rules().place_cues
    assert cache.key(rules_copy) != first
    assert len({p.parent for p in _entries(cache_dir)}) == 2, "one entry folder per rules version"


def test_a_rules_file_that_stops_validating_fails_again_and_is_never_cached(rules_copy: Path,
                                                                             cache_dir: Path) -> None:
    municipality_rules.place_rules()
    aliases = rules_copy / "municipalities" / "aliases.yaml"
    aliases.write_text("aliases:\n  Cidade Inventada: Lugar Nenhum\n", encoding="utf-8")
    for _ in range(2):
        _forget()
        with pytest.raises(RulesError, match="Lugar Nenhum"):
            gazetteer.gazetteer()


def test_a_changed_source_file_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "extractor"
    shutil.copytree(cache.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    cache._code_digest.cache_clear()
    before = cache.key(rulebook.rules_dir())
    (package / "facts" / "municipalities.py").write_text("# a rule compiled differently\n", encoding="utf-8")
    cache._code_digest.cache_clear()
    after = cache.key(rulebook.rules_dir())
    cache._code_digest.cache_clear()
    assert before != after


def _valid_but_unloadable(path: Path) -> None:
    payload = b"cno_such_module\nx\n."  # protocol 0: a global of a module that is not there
    path.write_bytes(cache.MAGIC + hashlib.sha256(payload).digest() + payload)


CORRUPTIONS = {
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "flipped byte": lambda p: p.write_bytes(p.read_bytes()[:-10] + bytes([p.read_bytes()[-10] ^ 1])
                                            + p.read_bytes()[-9:]),
    "garbage": lambda p: p.write_bytes(os.urandom(4096)),
    "checksum right, pickle unloadable": _valid_but_unloadable,
    "another entry's value": lambda p: p.write_bytes(
        (lambda payload: cache.MAGIC + hashlib.sha256(payload).digest() + payload)(pickle.dumps(("other", 1)))),
}


@pytest.mark.parametrize("damage", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_damaged_entry_is_rebuilt_and_rewritten(damage, cache_dir: Path) -> None:  # type: ignore[no-untyped-def]
    value = {"answer": [42, "quarenta e dois"]}
    assert cache.cached("probe", rulebook.rules_dir(), lambda: value) == value
    (entry,) = _entries(cache_dir)
    damage(entry)
    builds = []
    assert cache.cached("probe", rulebook.rules_dir(), lambda: builds.append(1) or value) == value
    assert builds == [1], "rebuilt once"
    assert cache.cached("probe", rulebook.rules_dir(), lambda: builds.append(1) or value) == value
    assert builds == [1], "and the rewritten entry is read"


def test_an_unusable_cache_folder_only_costs_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RELATO_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    builds: list[int] = []
    for _ in range(2):
        assert cache.cached("probe", rulebook.rules_dir(), lambda: builds.append(1) or "built") == "built"
    assert builds == [1, 1]


def test_a_folder_others_can_write_to_is_never_trusted(cache_dir: Path) -> None:
    cache.cached("probe", rulebook.rules_dir(), lambda: "ours")
    (entry,) = _entries(cache_dir)
    entry.parent.chmod(0o777)
    try:
        assert cache.cached("probe", rulebook.rules_dir(), lambda: "rebuilt") == "rebuilt"
    finally:
        entry.parent.chmod(0o700)


def test_read_only_cache_entries_are_still_read(cache_dir: Path) -> None:
    cache.cached("probe", rulebook.rules_dir(), lambda: "stored")
    (entry,) = _entries(cache_dir)
    entry.chmod(0o400)
    entry.parent.chmod(0o500)
    try:
        assert cache.cached("probe", rulebook.rules_dir(), lambda: "rebuilt") == "stored"
    finally:
        entry.parent.chmod(0o700)


def _race(folder: str, barrier) -> None:  # type: ignore[no-untyped-def]
    os.environ["RELATO_CACHE_DIR"] = folder
    big = list(range(200_000))
    barrier.wait()
    ok = all(cache.cached("race", rulebook.rules_dir(), lambda: big) == big for _ in range(5))
    os._exit(0 if ok else 1)


def test_concurrent_writers_leave_one_whole_entry(cache_dir: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_race, args=(str(cache_dir), barrier)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4
    (entry,) = _entries(cache_dir)
    assert not [p for p in entry.parent.iterdir() if p.name.startswith(".")], "no temporary file left"
    hit, value = cache._read(entry, "race")
    assert hit and value == list(range(200_000))


REGEXES = [
    (r"(?P<d>\d{1,2})\s+de\s+(?P<m>\w+)", 0),
    (r"^(?:rua|av\.)\s", re.IGNORECASE | re.MULTILINE),
    (r"(?i)caf[eé]|(?<!\w)x{2,}(?=\s)", 0),
    (r"(?x) a  b  # verbose", 0),
    (r"[\u00A6\u00A9]+$|…", 0),
]


@pytest.mark.parametrize("state", ["cold", "warm", "damaged", "off"])
def test_cached_regex_programs_give_the_patterns_re_compile_gives(state: str, cache_dir: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A pattern rebuilt from its cached program equals ``re.compile``'s (same source,
    flags and program, so the same matches) whether the entry was just written, read
    back, damaged, or the cache is off."""
    if state != "cold":
        cache.regexes(REGEXES, rulebook.rules_dir())
    if state == "damaged":
        (entry,) = _entries(cache_dir)
        entry.write_bytes(entry.read_bytes()[:-7] + b"garbage")
    if state == "off":
        monkeypatch.setenv("RELATO_CACHE", "off")
    got = cache.regexes(REGEXES, rulebook.rules_dir())
    want = [re.compile(p, f) for p, f in REGEXES]
    assert got == want
    assert [g.groupindex for g in got] == [w.groupindex for w in want]
    text = "Rua X, 3 de maio; café xx \u00A6"
    assert [[m.span() for m in g.finditer(text)] for g in got] == [[m.span() for m in w.finditer(text)] for w in want]
    if state != "off":
        assert len(_entries(cache_dir)) == 1


def test_compiled_patterns_in_an_entry_come_back_equal_without_being_compiled(cache_dir: Path) -> None:
    """A cached value's compiled patterns are stored as their programs and read back
    equal to ``re.compile``'s (source, flags, program: so the same matches)."""
    def build() -> dict[str, object]:
        return {"one": re.compile(REGEXES[0][0], REGEXES[0][1]),
                "more": [re.compile(p, f) for p, f in REGEXES[1:]]}

    stored = cache.cached("probe-patterns", rulebook.rules_dir(), build)
    (entry,) = _entries(cache_dir)
    assert b"_from_program" in entry.read_bytes()
    read = cache.cached("probe-patterns", rulebook.rules_dir(), lambda: pytest.fail("rebuilt"))
    assert read == stored == build()
