"""An on-disk cache of compiled rules, so `relato extract` starts in a fraction of a second.

Parsing the YAML/CSV files of ``rules/`` with pydantic validation, and compiling
the municipality gazetteer into match keys, costs more CPU than reading a short
PDF; so does importing spaCy for its Portuguese tokenizer, whose rules are exported
into this cache too (extractor/facts/tokenizer.py). Each process would redo it; this
module keeps the results pickled under ``RELATO_CACHE_DIR`` (default
``$XDG_CACHE_HOME/relato``, else ``~/.cache/relato``), and ``RELATO_CACHE=off`` turns
it off.

An entry is valid only for the exact inputs it was built from: its key hashes every
file under the rules folder, every source file of the ``extractor`` package (the
code that compiles them) and the versions of Python and of every installed library
(spaCy's among them: its tokenizer rules are stored). Change any of them and the
entry is rebuilt, transparently. The cache is never a source of truth: a missing,
unreadable, corrupt or foreign file, a read-only or absent folder, all mean "build it
as without a cache". Files are written to a temporary name and renamed into place, so
concurrent processes see a whole entry or none; each carries a SHA-256 of its
payload, checked before it is unpickled.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import logging
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

MAGIC = b"relato-cache 1\n"
PACKAGE_DIR = Path(__file__).resolve().parent
KEEP_KEYS = 4  # key folders kept: a few rules versions side by side (tests use copies)


def enabled() -> bool:
    return os.environ.get("RELATO_CACHE", "on").strip().lower() not in ("off", "0", "no", "false")


def cache_dir() -> Path:
    """``RELATO_CACHE_DIR``, else ``$XDG_CACHE_HOME/relato``, else ``~/.cache/relato``."""
    env = os.environ.get("RELATO_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "relato"


@lru_cache(maxsize=1)
def _versions() -> bytes:
    """Python's version and every installed distribution's name and version, read
    from the ``*.dist-info`` folder names (no import, no metadata parsing)."""
    parts = [sys.version]
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        parts += sorted(n for n in names if n.endswith(".dist-info"))
    return "\n".join(parts).encode()


def _hash_files(h: Any, files: list[Path], root: Path) -> None:
    for p in files:
        h.update(str(p.relative_to(root)).encode() + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """The extractor's sources and the libraries' versions: fixed for a process."""
    h = hashlib.sha256(_versions())
    files = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
    _hash_files(h, files, PACKAGE_DIR)
    return h.digest()


@lru_cache(maxsize=8)
def _rules_digest(code: bytes, root: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    h = hashlib.sha256(code)
    _hash_files(h, [Path(name) for name, _, _ in stamp], root)
    return h.hexdigest()


def key(rules_dir: Path) -> str:
    """The hash of every entry's inputs: the rules files, the extractor's sources, the
    versions of Python and of the installed libraries.

    Rules files are hashed by content, again whenever one's name, size or
    modification time changed (a test may edit a copy of the rules mid-process).
    """
    files = sorted(p for p in rules_dir.rglob("*") if p.is_file())
    stamp = tuple((str(p), st.st_mtime_ns, st.st_size) for p in files for st in [p.stat()])
    return _rules_digest(_code_digest(), rules_dir, stamp)


def _safe_dir(path: Path) -> bool:
    """Ours and not writable by others: a pickle from elsewhere could run code."""
    st = path.stat()
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def _entry(name: str, rules_dir: Path) -> Path:
    safe = re.sub(r"[^\w.-]", "_", name)
    return cache_dir() / key(rules_dir)[:40] / f"{safe}.pickle"


def _read(path: Path, name: str) -> tuple[bool, Any]:
    try:
        if not _safe_dir(path.parent):
            return False, None
        blob = path.read_bytes()
    except OSError:
        return False, None
    head, digest, payload = blob[: len(MAGIC)], blob[len(MAGIC) : len(MAGIC) + 32], blob[len(MAGIC) + 32 :]
    if head != MAGIC or hashlib.sha256(payload).digest() != digest:
        log.debug("cache entry %s is corrupt; rebuilding", path)
        return False, None
    try:
        stored_name, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any unpickling failure means "rebuild"
        log.debug("cache entry %s cannot be read; rebuilding", path, exc_info=True)
        return False, None
    return stored_name == name, value


def _prune(root: Path, current: str) -> None:
    """Keep the most recent few key folders (best effort)."""
    try:
        folders = sorted((p for p in root.iterdir() if p.is_dir() and p.name != current),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in folders[KEEP_KEYS - 1 :]:
            for f in old.iterdir():
                f.unlink(missing_ok=True)
            old.rmdir()
    except OSError:
        pass


def _write(path: Path, name: str, value: Any) -> None:
    try:
        buf = io.BytesIO()
        pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = {**copyreg.dispatch_table, re.Pattern: _reduce_pattern}
        pickler.dump((name, value))
        payload = buf.getvalue()
    except Exception:  # noqa: BLE001 - an object that cannot be pickled is just not cached
        log.debug("cannot pickle %s; not cached", name, exc_info=True)
        return
    try:
        fresh = not path.parent.exists()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _safe_dir(path.parent):
            return
        import tempfile  # only on a miss

        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)  # atomic: readers see the old entry or the new one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if fresh:
            _prune(path.parent.parent, path.parent.name)
    except OSError:
        log.debug("cache folder %s not writable; not cached", path.parent, exc_info=True)


def cached(name: str, rules_dir: Path, build: Callable[[], T]) -> T:
    """``build()``'s value, from the cache when an entry for the current inputs exists.

    ``name`` must say everything the value depends on besides the rules folder and
    the extractor's code (a file name and the model it is validated with, say).
    Errors raised by ``build`` (a rules file that does not validate) propagate and
    nothing is stored.
    """
    if not enabled():
        return build()
    try:
        path = _entry(name, rules_dir)
    except OSError:  # a rules file vanished while hashing: let build() say so
        return build()
    hit, value = _read(path, name)
    if hit:
        return value  # type: ignore[no-any-return]
    value = build()
    _write(path, name, value)
    return value


def _program(pattern: str, flags: int) -> tuple[Any, ...]:
    """What ``re.compile(pattern, flags)`` hands to ``_sre.compile``: the pattern parsed
    and compiled into the regex engine's program (CPython's ``re._compiler.compile``,
    whose steps these are). Plain data, so it pickles."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for group, i in groupindex.items():
        indexgroup[i] = group
    return (pattern, flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def _from_program(program: tuple[Any, ...]) -> re.Pattern[Any]:
    """A compiled pattern from its cached program (see :func:`_reduce_pattern`)."""
    import _sre

    try:
        return _sre.compile(*program)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - not this engine's program: compile the source
        return re.compile(program[0], program[1])


def _reduce_pattern(compiled: re.Pattern[Any]) -> tuple[Any, ...]:
    """How a cache entry stores a compiled pattern: as its program, so that reading it
    back skips ``re``'s parser and compiler (pickle's default stores the source and
    compiles it again). Stored so only when rebuilding it gives the same pattern
    (source, flags and program), else as pickle would."""
    if isinstance(compiled.pattern, str):
        try:
            program = _program(compiled.pattern, compiled.flags)
            if _from_program(program) == compiled:
                return _from_program, (program,)
        except Exception:  # noqa: BLE001 - fall back to pickle's own way
            log.debug("pattern %r stored as source", compiled.pattern[:40], exc_info=True)
    return re._compile, (compiled.pattern, compiled.flags)  # type: ignore[attr-defined]


def regexes(patterns: list[tuple[str, int]], rules_dir: Path) -> list[re.Pattern[str]]:
    """``re.compile`` of each (pattern, flags), with the compiled programs cached.

    Parsing and compiling a pattern is pure Python in CPython's ``re``: 0.1 s per
    process for the tokenizer's three long alternations, while the engine builds a
    pattern from its program in microseconds. The entry is named after the patterns
    themselves and, as every entry, keyed by Python's exact version (the program's
    format is CPython's own); each pattern rebuilt must equal what ``re.compile``
    would give in source and flags, or all are compiled anew.
    """
    def compile_all() -> list[re.Pattern[str]]:
        return [re.compile(p, f) for p, f in patterns]

    if not enabled():
        return compile_all()
    import _sre

    name = "regex-programs-" + hashlib.sha256(repr(patterns).encode()).hexdigest()[:32]
    try:
        programs = cached(name, rules_dir, lambda: [_program(p, f) for p, f in patterns])
        out = [_sre.compile(*program) for program in programs]
    except Exception:  # noqa: BLE001 - any mismatch with this Python's engine: compile anew
        log.debug("cached regex programs unusable; compiling", exc_info=True)
        return compile_all()
    if len(out) != len(patterns) or any(o.pattern != p or o.flags & f != f for o, (p, f) in zip(out, patterns)):
        return compile_all()
    return out
