"""Commands load lazily: `polmon --help` imports no command module and no heavy library, and
the help it reads from the sources agrees with the commands' own."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import click
import pytest

from monitor.cli import COMMANDS, cli
from monitor.cli.lazy_group import stub_from_source
from tests.conftest import REPO_ROOT

HEAVY = ("sqlalchemy", "alembic", "numpy", "telethon", "torch", "whisper", "yt_dlp")
CLI_DIR = REPO_ROOT / "monitor" / "cli"
SUPPORT_MODULES = {"__init__", "context", "lazy_group"}


# Runs `python -m monitor ARGS` and lists sys.modules at exit (`-X importtime` misses modules
# loaded through importlib.import_module, as the lazy group loads commands).
LIST_MODULES = """
import atexit, runpy, sys
atexit.register(lambda: print("\\n".join(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["polmon", *sys.argv[1:]]
runpy.run_module("monitor", run_name="__main__", alter_sys=True)
"""


def imported_modules(*args: str) -> set[str]:
    """The modules `python -m monitor ARGS` has imported when it exits, in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", LIST_MODULES, *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "80"},
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Usage: polmon" in result.stdout
    return set(result.stderr.split())


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def _command_modules(modules: set[str]) -> set[str]:
    prefix = "monitor.cli."
    return {
        name.removeprefix(prefix)
        for name in modules
        if name.startswith(prefix) and name.removeprefix(prefix) not in SUPPORT_MODULES
    }


def test_help_imports_no_command_and_no_heavy_library() -> None:
    modules = imported_modules("--help")
    assert {"click", "monitor.cli", "monitor.cli.lazy_group"} <= modules  # the parse works
    assert not _top_level(modules) & set(HEAVY)
    assert not _command_modules(modules)


# Commands whose options need nothing heavy: their modules import the stages and queries
# inside the command, so `polmon <command> --help` stays fast too.
LIGHT_HELP = ("accounts", "config", "datasette", "db", "demo", "digest", "doctor", "init")
LIGHT_HELP += ("run", "search", "status", "telegram")


@pytest.mark.parametrize("name", LIGHT_HELP)
def test_a_light_command_s_help_imports_only_its_own_module(name: str) -> None:
    modules = imported_modules(name, "--help")
    own = COMMANDS[name].partition(":")[0].removeprefix("monitor.cli.")
    assert _command_modules(modules) == {own}
    assert not _top_level(modules) & set(HEAVY)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_command_s_own(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name, f"COMMANDS[{name!r}] is misnamed"
    stub = stub_from_source(name, COMMANDS[name])
    assert stub is not None, f"cannot read the help of {COMMANDS[name]} from its source"
    for limit in (20, 45, 58, 74, 1000):
        assert stub.get_short_help_str(limit) == command.get_short_help_str(limit), limit
    assert stub.hidden == command.hidden


def test_every_command_in_monitor_cli_is_in_the_table() -> None:
    """A top-level `@click.command()`/`@click.group()` missing from COMMANDS would never run."""
    listed = set(COMMANDS.values())
    for path in sorted(CLI_DIR.glob("*.py")):
        if path.stem == "__init__":  # the root group itself
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(func) in ("click.command", "click.group"):
                    target = f"monitor.cli.{path.stem}:{node.name}"
                    assert target in listed, f"{target} is not in monitor.cli.COMMANDS"


def test_root_help_lists_every_command_once() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--help"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        check=False,
        timeout=120,
    )
    listed = re.findall(r"^  (\w[\w-]*)\s{2,}", result.stdout.split("Commands:")[1], re.M)
    assert listed == sorted(COMMANDS)


COLLECT_PATH = "import sys, monitor.cli.worker, monitor.collect_worker, monitor.pipeline\n"
COLLECT_PATH += "print('\\n'.join(sorted(sys.modules)))"


def test_a_collect_worker_loads_no_transcription_backend() -> None:
    """`polmon worker --stage collect` and the collection pass import neither numpy nor the
    Whisper backends or the transcription queue: only `--stage transcribe` needs them."""
    result = subprocess.run(
        [sys.executable, "-c", COLLECT_PATH],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = set(result.stdout.split())
    assert {"monitor.collect_worker", "monitor.pipeline", "monitor.keywords.live"} <= modules
    heavy = {"numpy", "faster_whisper", "ctranslate2", "av", "whisper", "torch"}
    assert not _top_level(modules) & heavy
    assert not modules & {"monitor.transcription.transcriber", "monitor.transcription.worker"}
