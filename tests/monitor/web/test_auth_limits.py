"""The login limiter's window and the session key's checks, without a server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from monitor.config import ConfigError
from monitor.web.ratelimit import LoginLimiter, login_keys
from monitor.web.secret import GENERATED_NAME, web_secret_key
from tests.support.config import make_config


class Clock:
    """A clock the test moves by hand: the limiter's window without waiting for it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failures_slide_out_of_the_one_minute_window() -> None:
    clock = Clock()
    limiter = LoginLimiter(2, clock=clock)
    keys = login_keys("10.0.0.1", "Alice")
    assert keys == ("addr:10.0.0.1", "user:alice")  # a name's case does not dodge the limit
    assert limiter.retry_after(keys) == 0
    limiter.failed(keys)
    clock.now += 20
    limiter.failed(keys)
    assert limiter.retry_after(keys) == 40  # the first failure leaves the window in 40 s
    assert limiter.retry_after(login_keys("10.0.0.2", "ALICE")) == 40  # same name
    assert limiter.retry_after(login_keys("10.0.0.2", "bob")) == 0
    clock.now += 40
    assert limiter.retry_after(keys) == 0
    limiter.failed(keys)
    assert limiter.retry_after(keys) == 20


def test_a_short_key_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = make_config(tmp_path)
    monkeypatch.setenv("POLMON_WEB_SECRET", "short")
    with pytest.raises(ConfigError, match="too short"):
        web_secret_key(config)
    monkeypatch.delenv("POLMON_WEB_SECRET")
    key_file = tmp_path / "key"
    key_file.write_text("k" * 40, encoding="utf-8")
    with_file = make_config(tmp_path, web={"secret_key_file": str(key_file)})
    assert web_secret_key(with_file) == "k" * 40
    assert not (config.data_dir / GENERATED_NAME).exists()


def test_a_generated_key_is_private_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_WEB_SECRET", raising=False)
    config = make_config(tmp_path)
    first = web_secret_key(config)
    path = config.data_dir / GENERATED_NAME
    assert len(first) >= 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert web_secret_key(config) == first
    assert [p.name for p in config.data_dir.iterdir()] == [GENERATED_NAME]  # no draft left
