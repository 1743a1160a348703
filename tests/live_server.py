"""A real borderzone server in its own process, on loopback, against the test database.

Attacks that can crash the process (native memory errors) or stall the event loop must be
made against a server of its own: a crash then shows as a dead process and a failed test,
not as a dead test run. ``LiveServer`` starts ``uvicorn`` with ``api.app:create_app`` as a
factory, configured only through the environment, exactly as ``borderzone serve`` is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.security.security_support import SECRET

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """One server process; ``url`` is its base address, ``log`` its combined output."""

    def __init__(self, db_url: str, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ROOT / ".borderzone" / f"live-{os.getpid()}-{self.port}.log"
        self.env = {**os.environ, "DATABASE_URL": db_url, "BORDERZONE_JWT_SECRET": SECRET,
                    "BORDERZONE_ENV": "test", "BORDERZONE_RATE_PER_S": "0",
                    "BORDERZONE_INDEX_POLL_S": "0.5",
                    "PYTHONPATH": str(ROOT), **env}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 120.0) -> LiveServer:
        self.log.parent.mkdir(exist_ok=True)
        out = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
             "--no-proxy-headers"],  # as `borderzone serve`: BORDERZONE_TRUSTED_PROXIES decides
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.assert_alive()
            try:
                health = httpx.get(self.url + "/health", timeout=2).json()
                if health.get("prepared"):
                    return self
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server did not become ready in {timeout_s} s: {self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    @property
    def exit_code(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def assert_alive(self) -> None:
        code = self.exit_code
        if code is not None:
            raise AssertionError(f"server process exited with {code}:\n{self.output()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def live_server(db_url: str, **env: str):
    """A started server, stopped afterwards (its log is kept under .borderzone/)."""
    server = LiveServer(db_url, **env).start()
    try:
        yield server
    finally:
        server.stop()
