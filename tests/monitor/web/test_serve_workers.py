"""`polmon serve --workers 2`: several processes, one session key, every request answered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from collectors.http import tls_context
from storage.engine import transaction
from storage.users import add_user
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.config import write_config
from tests.support.web import LiveServer, free_port, log_in, web_client


def new_connection(url: str, cookies: dict[str, str] | None = None, timeout: float = 30.0) -> int:
    """GET on a connection of its own (either serve process may answer); its status code."""
    return httpx.get(url, cookies=cookies, timeout=timeout, verify=tls_context()).status_code


def healthz(base_url: str) -> int:
    return new_connection(f"{base_url}/healthz", timeout=2)


@pytest.mark.slow
def test_two_worker_processes_share_the_session_key_and_stop_on_sigterm(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sqlite_db)
    with transaction(sqlite_db.engine) as session:
        add_user(session, "analyst", "a long enough password", "viewer")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "POLMON_WEB_SECRET"}
    serve = ["serve", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), *serve],
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if healthz(base_url) == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        with web_client(base_url) as client:
            log_in(
                LiveServer(base_url, sqlite_db.engine), client, "analyst", "a long enough password"
            )
            cookies = dict(client.cookies)
        # A new connection each time, so either process may answer: a session one process
        # signed must be good in the other (one key, made once before they started).
        answers = [new_connection(f"{base_url}/api/openapi.json", cookies) for _ in range(30)]
        assert answers == [200] * 30
        assert (tmp_path / "data" / "web-secret").stat().st_mode & 0o777 == 0o600
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
