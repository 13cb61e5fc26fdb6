"""Print rows as a rich table, JSON or CSV; the one place listing commands format output."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(default: str = "table") -> Callable[[F], F]:
    """The `--format table|json|csv` option every listing command takes."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=default,
        show_default=True,
        help="Output format.",
    )


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=json_default, ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S%z").replace("+0000", "Z")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Write `rows` to stdout in `fmt`; `columns` fixes the order (default: first row's keys)."""
    materialised = [dict(row) for row in rows]
    cols = list(columns) if columns else (list(materialised[0]) if materialised else [])
    if fmt == "json":
        click.echo(dumps([{c: row.get(c) for c in cols} for row in materialised]))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(cols)
        for row in materialised:
            writer.writerow([_cell(row.get(c)) for c in cols])
    else:
        # A terminal's own width; piped output gets room instead of 80 folded columns.
        console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
        # Text is never markup: `[[actors]]` in a message or `[b]` in a post prints as written.
        if not materialised:
            console.print(f"{title + ': ' if title else ''}{empty}", style="dim", markup=False)
            return
        table = Table(title=Text(title) if title else None, show_lines=False)
        for col in cols:
            table.add_column(Text(col), overflow="fold")
        for row in materialised:
            table.add_row(*(Text(_cell(row.get(c))) for c in cols))
        console.print(table)
