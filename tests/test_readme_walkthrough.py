"""The README's walk-through, pasted as it stands after `make run`.

The block after the README's `<!-- walk-through ... -->` line runs in bash against
the real server, started as `make run` starts it (`relato serve --demo`, from the
repository folder) on a temporary SQLite database and a free port. Every command of
the block must succeed and the answers must be the ones the README promises: 202 for
the new upload, "done", a confirmed fact, 409 for a stale version, the fact in the
records feed, 401 for a revoked token.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.live import _env, _healthy, _wait, free_port

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = "<!-- walk-through:"
README_URL = "http://127.0.0.1:8000"
README_CLI = ".venv/bin/relato"



def walkthrough_block(readme: str) -> str:
    """The fenced sh block right after the walk-through marker."""
    after = readme[readme.index(MARKER):]
    match = re.search(r"^```sh\n(.*?)^```$", after, re.S | re.M)
    assert match, "no ```sh block after the walk-through marker"
    return match.group(1)


def relato_command() -> str:
    """The README's `.venv/bin/relato`, or this interpreter's `relato` where there is no .venv."""
    return README_CLI if (ROOT / README_CLI).exists() else str(Path(sys.executable).parent / "relato")


def test_the_block_is_found_and_uses_one_way_of_calling_the_cli() -> None:
    block = walkthrough_block(README.read_text())
    assert "token create --role operator" in block and README_URL in block
    bare = [line for line in block.splitlines() if re.match(r"\s*(\w+=\$\()?relato ", line)]
    assert not bare, f"bare `relato` in the walk-through (use {README_CLI}): {bare}"


def _stop(server: subprocess.Popen[bytes]) -> None:
    """SIGINT (Ctrl-C, as a user stops `make run`) to the server's own process group."""
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 10)):
        if server.poll() is not None:
            return
        os.killpg(server.pid, sig)
        try:
            server.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through needs curl (.ci/run installs it)")
def test_readme_walkthrough_runs_as_pasted(tmp_path: Path) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _env(tmp_path)  # a fresh SQLite database and data folder, as on a fresh clone
    env.pop("RELATO_TEST_DATABASE_URL", None)
    cli = relato_command()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:  # what `make run` does: relato serve --demo, in the repository folder
        server = subprocess.Popen([cli, "serve", "--demo", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def up() -> bool:
            assert server.poll() is None, f"the server exited:\n{log.read_text()[-3000:]}"
            return _healthy(base_url)

        _wait(up, 120, "the server did not answer /healthz", log)
        banner = log.read_text()
        assert banner.count(" token: rlt_") == 3, banner
        script = walkthrough_block(README.read_text()).replace(README_URL, base_url).replace(README_CLI, cli)
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
    finally:
        _stop(server)
    out = result.stdout
    context = f"stdout:\n{out[-4000:]}\nstderr:\n{result.stderr[-4000:]}\nserver:\n{log.read_text()[-2000:]}"
    assert result.returncode == 0, context
    lines = out.splitlines()
    upload = json.loads(lines[0])
    assert upload["status"] == "queued" and upload["filename"] == "status-deck-2025-10.pdf", context
    assert lines[1] == "202", context
    assert "done" in lines, context
    fact = json.loads(lines[lines.index("done") + 1])
    assert fact["status"] == "pending" and fact["report_id"] == upload["id"], context
    # the first record a new user confirms is an initiative's own fact, not a cover date outside any
    assert fact["initiative"]["id"] is not None and fact["initiative"]["title"], context
    assert fact["kind"] == "count", context
    confirmed = json.loads(lines[lines.index("done") + 2])
    assert (confirmed["id"], confirmed["status"], confirmed["version"]) == (fact["id"], "confirmed", fact["version"] + 1)
    assert lines[lines.index("done") + 3] == "409", context
    records = [json.loads(line) for line in lines if line.startswith('{"change_seq"')]
    assert [(r["extraction_id"], r["state"]) for r in records] == [(fact["id"], "confirmed")], context
    assert re.search(r"^\d+\s+consumer\s+bi\s", out, re.M), context
    assert re.search(r"^revoked token \d+ \(consumer, 'bi'\)$", out, re.M), context
    assert lines[-1] == "401", context
