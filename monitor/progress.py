"""A rich progress bar on stderr for long commands, or nothing when output is not wanted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(enabled: bool, label: str, total: int | None) -> Iterator[Callable[[str], None]]:
    """Yield `advance(description)`: call it as each item starts; the bar counts finished items."""
    if not enabled:
        yield lambda _description: None
        return
    columns = (
        TextColumn("[bold]{task.fields[stage]}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # handles and titles as written
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("", total=total, stage=label)
        started = False

        def advance(description: str) -> None:
            nonlocal started
            bar.update(task, advance=1 if started else 0, description=description)
            started = True

        yield advance
        bar.update(task, completed=total, description="done")
