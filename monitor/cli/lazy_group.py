"""A click group that imports a command's module only when that command runs (or shows help).

`polmon --help` lists the commands from the group's table and reads their short help from
each module's source with `ast`, so it imports none of them (nor sqlalchemy, numpy, telethon,
yt-dlp or whisper behind them). `tests/monitor/cli/test_lazy_commands.py` checks that this help
agrees with the imported command's.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import click

HELP_KEYWORDS = ("short_help", "help")
COMMAND_DECORATORS = frozenset({"command", "group"})  # click.command(), @group.command(), …


def _decorator_text(node: ast.FunctionDef, keyword: str) -> str | None:
    """A constant `keyword=` argument of the function's command decorator (not its options')."""
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Call):
            continue
        func = decorator.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in COMMAND_DECORATORS:
            continue
        for item in decorator.keywords:
            if item.arg == keyword and isinstance(item.value, ast.Constant):
                value = item.value.value
                return value if isinstance(value, str) else None
    return None


def stub_from_source(name: str, import_path: str) -> click.Command | None:
    """A help-only stand-in for the command `import_path` (`package.module:function`), read
    from the module's source without running it: the function's docstring, or constant
    `help=` / `short_help=` arguments of its decorators. None when the source cannot tell."""
    module, _, attr = import_path.partition(":")
    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attr:
            texts = {key: _decorator_text(node, key) for key in HELP_KEYWORDS}
            help_text = texts["help"] or ast.get_docstring(node)
            return click.Command(name, help=help_text, short_help=texts["short_help"])
    return None


class LazyGroup(click.Group):
    """Commands named in `lazy_commands` (name -> `package.module:function`) are imported on
    first use; commands added the usual way (`group.add_command`) work too."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, str] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy_commands:
            return super().get_command(ctx, cmd_name)
        command = self.load(cmd_name)
        self.add_command(command, cmd_name)
        return command

    def load(self, cmd_name: str) -> click.Command:
        """Import the command `cmd_name` from its module."""
        import_path = self.lazy_commands[cmd_name]
        module, _, attr = import_path.partition(":")
        command = getattr(importlib.import_module(module), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{import_path} is {type(command).__name__}, not a click command")
        return command

    def help_stub(self, cmd_name: str) -> click.Command | None:
        """What `--help` lists for `cmd_name`: the loaded command, else a stand-in read from
        its source (importing the module only when its source cannot tell)."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in self.lazy_commands:
            stub = stub_from_source(cmd_name, self.lazy_commands[cmd_name])
            return stub if stub is not None else self.load(cmd_name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, from the help stubs, so that listing the commands imports none."""
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.help_stub(name)) is not None and not command.hidden
        ]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
