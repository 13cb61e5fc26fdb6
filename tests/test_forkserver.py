"""The fork server's processes answer as `python -m monitor` in a fresh interpreter would."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import run_polmon
from tests.support.config import write_config
from tests.support.processes import ForkedPolmon, start_polmon

DAEMON_JOB = """
[schedule.jobs.rescan]
task = "rescan"
interval_minutes = 60
"""


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """An empty folder, and a config file in a folder of its own."""
    empty, project = tmp_path / "empty", tmp_path / "project"
    empty.mkdir()
    project.mkdir()
    return empty, write_config(project, body=DAEMON_JOB)


# Each case: the arguments, the environment (CONFIG: the config file) and where it runs.
CASES = {
    "help": (["--help"], {}, "empty"),
    "no config file": (["posts"], {"POLMON_CONFIG": ""}, "empty"),
    "the config file named by the environment": (
        ["config", "check"],
        {"POLMON_CONFIG": "CONFIG"},
        "empty",
    ),
    "the config file in the working directory": (
        ["config", "check"],
        {"POLMON_CONFIG": ""},
        "project",
    ),
    "a bad option": (["posts", "--no-such-option"], {}, "empty"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_forked_process_answers_as_a_fresh_interpreter(case: str, tmp_path: Path) -> None:
    args, env, where = CASES[case]
    empty, config = _project(tmp_path)
    env = {k: str(config) if v == "CONFIG" else v for k, v in env.items()}
    cwd = empty if where == "empty" else config.parent
    forked = run_polmon(*args, cwd=cwd, env=env)
    fresh = run_polmon(*args, cwd=cwd, env=env, fork=False)
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        fresh.returncode,
        fresh.stdout,
        fresh.stderr,
    )


def test_the_process_is_forked_and_dies_of_its_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real process of its own: its pid, killed by a signal as a Popen child would be."""
    monkeypatch.delenv("POLMON_TEST_NO_FORKSERVER", raising=False)
    _, config = _project(tmp_path)
    process = start_polmon(
        ["--config", str(config), "db", "upgrade"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert isinstance(process, ForkedPolmon)
    assert Path(f"/proc/{process.pid}").exists() or process.poll() is not None
    process.wait(60)
    assert process.returncode == 0
    stopped = start_polmon(["--config", str(config), "run"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    assert stopped.poll() is None  # the daemon runs until stopped
    stopped.send_signal(signal.SIGKILL)
    assert stopped.wait(60) == -signal.SIGKILL


def test_without_the_fork_server_it_is_a_plain_popen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLMON_TEST_NO_FORKSERVER", "1")
    process = start_polmon(["--help"], stdout=subprocess.PIPE, text=True)
    assert isinstance(process, subprocess.Popen)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "Usage:" in out
