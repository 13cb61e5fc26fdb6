"""Walking the `polmon` command tree (its commands are loaded lazily, on first use)."""

from __future__ import annotations

from collections.abc import Iterator

import click


def command_tree(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under `group` as (its words after `polmon`, the command), loading each."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{' '.join((*prefix, name))} is listed but cannot be loaded"
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from command_tree(command, (*prefix, name))
