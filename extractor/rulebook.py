"""Load and validate the data files under rules/.

Rules are data: month names, number words, heading patterns and identifier cues
live in ``rules/`` as YAML/JSONL/CSV. Each loader validates its file with a
pydantic model that forbids unknown keys, so a typo fails loudly at load time
with the file and the entry named.
"""

from __future__ import annotations

import csv
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from extractor import cache
from extractor.errors import RulesError

M = TypeVar("M", bound=BaseModel)


class RulesModel(BaseModel):
    """Base of the rules files' schemas: each one's validator is built when a file is
    first validated, not when its class is defined. With the rules cache warm a process
    only unpickles rules validated earlier and never validates one, so building the
    validators of some thirty models at import (1-3 ms each) would be spent for nothing."""

    model_config = ConfigDict(defer_build=True)


def rules_dir() -> Path:
    """``RELATO_RULES_DIR`` if set, else the ``rules/`` folder beside this package."""
    env = os.environ.get("RELATO_RULES_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "rules"


def _read(name: str) -> Any:
    import yaml  # only on a cache miss (extractor/cache.py)

    path = rules_dir() / name
    try:
        with path.open(encoding="utf-8") as fh:
            if name.endswith((".yaml", ".yml")):
                return yaml.safe_load(fh)
            if name.endswith(".jsonl"):
                return [json.loads(line) for line in fh if line.strip()]
            if name.endswith(".csv"):
                return list(csv.DictReader(fh))
            if name.endswith(".json"):
                return json.load(fh)
    except FileNotFoundError as exc:
        raise RulesError(f"rules file missing: {path}") from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise RulesError(f"{path}: cannot parse: {exc}") from exc
    raise RulesError(f"{path}: unknown rules file type")


def _cached(kind: str, name: str, model: type[BaseModel], build):  # type: ignore[no-untyped-def]
    """``build()`` through the on-disk cache (extractor/cache.py), keyed by the rules'
    and the code's hashes: a warm start skips parsing and validating the file."""
    return cache.cached(f"{kind}-{name}-{model.__module__}.{model.__qualname__}", rules_dir(), build)


def load(name: str, model: type[M]) -> M:
    """Read ``rules/<name>`` and validate the whole document against ``model``."""
    return _cached("load", name, model, lambda: _load(name, model))  # type: ignore[no-any-return]


def _load(name: str, model: type[M]) -> M:
    data = _read(name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"{rules_dir() / name}: {exc}") from exc


def load_rows(name: str, model: type[M]) -> list[M]:
    """Read a JSONL/CSV rules file (or a YAML list) and validate each row."""
    return _cached("rows", name, model, lambda: _load_rows(name, model))  # type: ignore[no-any-return]


def _load_rows(name: str, model: type[M]) -> list[M]:
    rows = _read(name)
    if not isinstance(rows, list):
        raise RulesError(f"{rules_dir() / name}: expected a list of entries")
    out: list[M] = []
    for i, row in enumerate(rows, start=1):
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            raise RulesError(f"{rules_dir() / name}, entry {i}: {exc}") from exc
    return out


cached_load = lru_cache(maxsize=None)(load)
