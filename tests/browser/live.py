"""A real relato service for browser tests: uvicorn in a subprocess on a free local port,
a temporary SQLite database and data directory, tokens from `relato token create`,
and one report PDF ingested through the API and extracted by the in-process worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

CLI = "from service.cli import main; raise SystemExit(main())"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveService:
    """A running service: its base URL, tokens by name, the ingested report id."""

    base_url: str
    tokens: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    report_id: int = 0

    def client(self, who: str = "reviewer") -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.tokens[who]}"}, timeout=30)

    def get(self, path: str, who: str = "reviewer", **params: Any) -> Any:
        with self.client(who) as c:
            response = c.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Any, who: str = "reviewer") -> httpx.Response:
        with self.client(who) as c:
            return c.post(path, json=body)

    def extraction(self, ext_id: int) -> dict[str, Any]:
        return self.get(f"/api/v1/extractions/{ext_id}")  # type: ignore[no-any-return]

    def extractions(self, **params: Any) -> list[dict[str, Any]]:
        return self.get("/api/v1/extractions", report_id=self.report_id, limit=1000, **params)["items"]  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "RELATO_DATABASE_URL": f"sqlite:///{workdir / 'relato.db'}",
        "RELATO_DATA_DIR": str(workdir / "data"),
        "RELATO_POLL_S": "0.1",
    })
    return env


def _token(env: dict[str, str], role: str, name: str) -> str:
    out = subprocess.run([sys.executable, "-c", CLI, "token", "create", "--role", role, "--name", name],
                         env=env, capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def _wait(predicate: Any, timeout: float, what: str, log_path: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise TimeoutError(f"{what} within {timeout}s; server log:\n{log_path.read_text()[-3000:]}")


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start_service(workdir: Path, pdf: Path | None, env_extra: dict[str, str] | None = None,
                  factory: str = "create_app") -> LiveService:
    """Start the app, make tokens, upload `pdf` and wait until it is extracted. `env_extra`
    adds settings (RELATO_...); `factory="create_web_app"` serves without the in-process
    worker (run `relato worker` beside it), and then `pdf` may be None (nothing uploaded)."""
    env = {**_env(workdir), **(env_extra or {})}
    tokens = {name: _token(env, role, name) for name, role in
              (("reviewer", "reviewer"), ("other", "reviewer"), ("operator", "operator"))}
    port = free_port()
    log_path = workdir / "server.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", f"service.api.app:{factory}",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    live = LiveService(f"http://127.0.0.1:{port}", tokens, process, log_path)
    try:
        _wait(lambda: _healthy(live.base_url), 60, "the service did not answer /healthz", log_path)
        if pdf is None:
            return live
        with live.client("operator") as c, open(pdf, "rb") as fh:
            response = c.post("/api/v1/reports", files={"file": (pdf.name, fh, "application/pdf")})
        response.raise_for_status()
        live.report_id = response.json()["id"]
        done = _wait(lambda: live.get(f"/api/v1/reports/{live.report_id}")["status"] in ("done", "failed"),
                     180, "the report was not extracted", log_path)
        assert done and live.get(f"/api/v1/reports/{live.report_id}")["status"] == "done", log_path.read_text()[-3000:]
    except BaseException:
        live.stop()
        raise
    return live
