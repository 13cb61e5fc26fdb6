"""The demo, built once per test run and copied for each module that needs a demo of its own.

`run_demo` costs about 8 s of CPU (two collection passes, three transcriptions, a digest);
the web and evidence modules each want a demo folder they may change. The first to ask builds
it into a folder all pytest-xdist workers of the run share (under a file lock); each caller
gets a copy. The demo folder holds only relative paths (`data_dir = "data"`), so a copy works
where it lies.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from monitor.demo.run import run_demo


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this run's: beside the workers' own under pytest-xdist (its run id names
    it), else in this process's base folder."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    return base.parent / f"demo-build-{run_id}" if run_id else base / "demo-build"


def demo_copy(target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the run's demo at `target` (built first if need be); its config file."""
    shared = _shared_folder(tmp_path_factory)
    shared.parent.mkdir(parents=True, exist_ok=True)
    with open(shared.with_name(shared.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            run_demo(shared / "demo")
            (shared / "built").touch()
        shutil.copytree(shared / "demo", target, symlinks=True)
    return target / "polmon.toml"
