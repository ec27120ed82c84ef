"""Imports only go downwards.

`service/` is a few packages, one per capability; each package's `__init__.py`
docstring says which others it may import ("May import: storage, review."). This
test reads those lines, checks that they draw no cycle, and parses every module
under service/ with `ast` to fail on any import the lines do not allow, naming the
module, the line and the import. `service/cli.py` sits on top and may import all of
them. `extractor/` never imports the service, FastAPI or SQLModel. The pages live in
`service/web/` (HTML, CSS, ES modules and the routes serving them), which reaches the data
only through the JSON API: `service/api/` holds no page and answers no HTML.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"
EXTRACTOR = ROOT / "extractor"
TOP = "cli"  # service/cli.py: the command line, above every package
EXTRACTOR_MAY_NOT = ("service", "fastapi", "sqlmodel", "sqlalchemy", "alembic", "uvicorn", "starlette")
WEB = SERVICE / "web"
API = SERVICE / "api"
WEB_MAY_NOT = ("service", "extractor", "sqlmodel", "sqlalchemy", "alembic")
PAGE_SUFFIXES = (".html", ".js", ".css", ".svg", ".png")
MAY_IMPORT = re.compile(r"^May import:\s*(.+?)\s*$", re.M)


def packages() -> list[str]:
    return sorted(p.parent.name for p in SERVICE.glob("*/__init__.py"))


def allowed_map(service_dir: Path = SERVICE) -> dict[str, set[str]]:
    """Package -> the packages its docstring allows (`extractor` allowed unless it says 'not extractor/')."""
    allowed: dict[str, set[str]] = {}
    for init in sorted(service_dir.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        match = MAY_IMPORT.search(doc)
        assert match, f"{init.relative_to(ROOT)}: the docstring needs a 'May import: ...' line"
        words = {w.strip(" ./") for w in re.split(r"[,;]", match.group(1))}
        names = {w for w in words if (service_dir / w / "__init__.py").is_file()}
        if "not extractor" not in match.group(1):
            names.add("extractor")
        allowed[init.parent.name] = names
    return allowed


def imports_of(tree: ast.AST, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in `tree`, relative ones resolved."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            if base in ("service", "extractor") or not node.module and node.level:
                for alias in node.names:  # `from service import jobs` names a package
                    yield node.lineno, f"{base}.{alias.name}"
            else:
                yield node.lineno, base


def layer_of(imported: str) -> str | None:
    """The service package (or 'extractor', or 'cli') an import lands in; None for anything else."""
    parts = imported.split(".")
    if parts[0] == "extractor":
        return "extractor"
    if parts[0] != "service" or len(parts) < 2:
        return None
    return TOP if parts[1] == TOP else parts[1]


def violations(source: str, module: str, allowed: dict[str, set[str]]) -> list[str]:
    """Upward or sideways imports in one module of service/ (`module` is its dotted name)."""
    own = layer_of(module)
    if own is None or own == TOP or own not in allowed:
        return []
    found = []
    for line, imported in imports_of(ast.parse(source), module):
        target = layer_of(imported)
        if target is None or target == own:
            continue
        if target not in allowed[own]:
            found.append(f"{module}:{line} imports {imported} ({own} may import: {', '.join(sorted(allowed[own])) or 'nothing'})")
    return found


def service_modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(SERVICE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        yield path, ".".join(rel.parts).removesuffix(".__init__")


def test_every_module_lives_in_a_package_or_is_the_cli() -> None:
    loose = [p.name for p in SERVICE.glob("*.py") if p.name not in ("__init__.py", f"{TOP}.py")]
    assert not loose, f"modules directly under service/ (put them in a package): {loose}"


def test_allowed_imports_draw_no_cycle() -> None:
    allowed = allowed_map()
    assert set(allowed) == set(packages())
    state: dict[str, str] = {}

    def visit(pkg: str, path: list[str]) -> None:
        if state.get(pkg) == "done":
            return
        assert state.get(pkg) != "open", "cycle in 'May import' lines: " + " -> ".join([*path, pkg])
        state[pkg] = "open"
        for dep in allowed.get(pkg, set()) - {"extractor"}:
            visit(dep, [*path, pkg])
        state[pkg] = "done"

    for pkg in allowed:
        visit(pkg, [])


def test_service_imports_only_go_downwards() -> None:
    allowed = allowed_map()
    found = [v for path, module in service_modules() for v in violations(path.read_text(), module, allowed)]
    assert not found, "imports against the layering:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("from service.api.deps import Principal\n", "service.storage.tokens"),
        ("def f():\n    from service.jobs import worker\n", "service.editions.linking"),
        ("import service.feed.records\n", "service.review.actions"),
        ("from ..api import app\n", "service.jobs.worker"),
        ("from service import cli\n", "service.api.app"),
        ("from extractor.model import ExtractResult\n", "service.storage.models"),
        ("from service.storage.db import make_engine\n", "service.web.pages"),
        ("from service.api.deps import Principal\n", "service.web.pages"),
    ],
)
def test_an_upward_import_is_caught(source: str, module: str) -> None:
    found = violations(source, module, allowed_map())
    assert len(found) == 1 and module in found[0], found


def test_a_downward_import_passes() -> None:
    source = "from service.storage.models import Report\nfrom service.editions import linking\nimport json\n"
    assert violations(source, "service.jobs.store", allowed_map()) == []


def test_extractor_never_imports_the_service_or_its_frameworks() -> None:
    found = []
    for path in sorted(EXTRACTOR.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, imported in imports_of(ast.parse(path.read_text()), module):
            if imported.split(".")[0] in EXTRACTOR_MAY_NOT:
                found.append(f"{module}:{line} imports {imported}")
    assert not found, "extractor/ must stay free of the service:\n" + "\n".join(found)


def test_pages_live_in_web_and_the_api_serves_only_json() -> None:
    """A page file under service/api/, or an API module answering HTML, puts a page back
    beside the JSON routes."""
    pages_in_api = [str(p.relative_to(ROOT)) for p in API.rglob("*") if p.suffix in PAGE_SUFFIXES]
    assert not pages_in_api, f"page files under service/api/ (they belong in service/web/static/): {pages_in_api}"
    html = [str(path.relative_to(ROOT)) for path, module in service_modules() if module.startswith("service.api.")
            and ("HTMLResponse" in (text := path.read_text()) or "text/html" in text)]
    assert not html, f"service/api/ answers HTML (move the route to service/web/): {html}"
    assert all((WEB / "static" / f"{page}.html").is_file() for page in ("review", "initiative", "operator"))


def test_web_reaches_data_only_through_the_api() -> None:
    """The pages' package imports no other service package, no extractor and no database library."""
    found = [f"{module}:{line} imports {imported}" for path, module in service_modules() if module.startswith("service.web")
             for line, imported in imports_of(ast.parse(path.read_text()), module)
             if imported.split(".")[0] in WEB_MAY_NOT]
    assert not found, "service/web/ must only serve pages:\n" + "\n".join(found)
