"""The suite's own set-up: tests marked `xdist_group` really share one pytest-xdist worker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n, request):
    with open(os.environ["IDS_FILE"], "a") as out:
        out.write(f"{os.environ['PYTEST_XDIST_WORKER']} {request.node.nodeid}\\n")
"""


@pytest.mark.slow
def test_a_group_runs_on_one_worker_under_loadgroup(tmp_path: Path) -> None:
    """pytest-xdist sends a group to one worker by the `@<group>` it appends to each grouped
    test's id; pytest 9.2 moved where a node keeps its id and pytest-xdist 3.8's suffix
    silently stopped applying, so every module-scoped fixture of a group (a browser, the
    demo's database) was built again on each worker. Runs the installed pytest and
    pytest-xdist, as `make test` does, on six grouped tests over three workers."""
    (tmp_path / "test_grouped.py").write_text(GROUPED, encoding="utf-8")
    ids_file = tmp_path / "ids.txt"
    args = ["-q", "-p", "no:cacheprovider", "-n", "3", "--dist", "loadgroup"]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env={"IDS_FILE": str(ids_file), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = ids_file.read_text(encoding="utf-8").splitlines()
    workers = {line.split()[0] for line in lines}
    assert len(lines) == 6
    assert all(line.endswith("@together") for line in lines), lines
    assert len(workers) == 1, lines
