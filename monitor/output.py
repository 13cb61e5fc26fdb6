"""Print rows as a table, JSON or CSV: the one place the CLI formats times, widths and hostile text.

Post text comes from the platforms, so a monitored account controls it. Terminal output shows
control characters visibly instead of letting them drive the terminal; CSV neutralises cells a
spreadsheet would run as formulas; JSON stays exact (its escapes keep the value).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from rich.console import Console
from rich.text import Text

from monitor.output_table import build_table

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])

_WIDTH, _TZ, _EXCEL = "polmon.output.width", "polmon.output.tz", "polmon.output.excel"
# Piped to a file with no terminal anywhere: lay the table out this wide (so nothing folds).
UNBOUNDED_WIDTH = 10_000

# C0 controls but tab and newline, DEL, and C1 controls (0x9b is CSI, 0x9d OSC on some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# json.dumps(ensure_ascii=False) escapes C0 but writes DEL and C1 raw: escape them too.
_JSON_RAW_CONTROLS = {code: f"\\u{code:04x}" for code in range(0x7F, 0xA0)}


# -- options ------------------------------------------------------------------------------------


def _store(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        if value is not None and value is not False:
            ctx.meta[key] = value
        return value

    return callback


def _zone(ctx: click.Context, param: click.Parameter, value: str | None) -> tzinfo | None:
    if value is None:
        return None
    try:
        zone = UTC if value.upper() in ("UTC", "Z") else ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"unknown time zone {value!r} (an IANA name like Asia/Phnom_Penh, or UTC)"
        ) from None
    ctx.meta[_TZ] = zone
    return zone


def width_option(f: F) -> F:
    return click.option(
        "--width",
        type=click.IntRange(min=20),
        default=None,
        metavar="N",
        expose_value=False,
        callback=_store(_WIDTH),
        help="Lay tables out this many columns wide (default: the terminal's width).",
    )(f)


def tz_option(f: F) -> F:
    return click.option(
        "--tz",
        type=str,
        default=None,
        expose_value=False,
        callback=_zone,
        metavar="ZONE",
        help="Show times in this zone (default: [schedule] timezone, else UTC); JSON stays UTC.",
    )(f)


def format_option(default: str = "table") -> Callable[[F], F]:
    """`--format table|json|csv` with `--excel`, `--tz` and `--width`: every listing command's."""

    def decorate(f: F) -> F:
        f = click.option(
            "--excel",
            is_flag=True,
            is_eager=True,  # seen before --format, which it turns into csv
            expose_value=False,
            callback=_store(_EXCEL),
            help="CSV for Excel: UTF-8 with a byte-order mark, so Khmer opens right (implies csv).",
        )(f)
        f = width_option(tz_option(f))
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=default,
            show_default=True,
            callback=_excel_format,
            help="Output format.",
        )(f)

    return decorate


def _excel_format(ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return output_format(value)


def _meta(key: str) -> Any:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(key) if ctx is not None else None


def output_format(fmt: str) -> str:
    """`fmt`, or csv when `--excel` was given; `--excel` with json is a usage error."""
    if not _meta(_EXCEL):
        return fmt
    if fmt == "json":
        raise click.UsageError("--excel writes CSV; it cannot be combined with --format json")
    return "csv"


# -- times --------------------------------------------------------------------------------------


def display_zone() -> tzinfo:
    """`--tz`, else the config's `[schedule] timezone` (once the command loaded it), else UTC."""
    chosen = _meta(_TZ)
    if chosen is not None:
        return chosen
    ctx = click.get_current_context(silent=True)
    configured = getattr(ctx.find_root().obj, "schedule_timezone", None) if ctx else None
    name = configured() if callable(configured) else None
    if name and name.upper() != "UTC":
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC
    return UTC


def zone_label(zone: tzinfo | None = None) -> str:
    zone = zone or display_zone()
    return "UTC" if zone is UTC else str(zone)


def local_time(value: datetime) -> datetime:
    """`value` (naive means UTC) in the display zone: the one place CLI times are converted."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(display_zone())


def format_time(value: datetime | None, *, seconds: bool = False) -> str:
    """A time for a person: `2025-03-01 19:00` in the display zone (`--tz`)."""
    if value is None:
        return ""
    return local_time(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# -- hostile text -------------------------------------------------------------------------------


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def terminal_safe(text: str) -> str:
    """`text` that cannot drive a terminal: control characters (ESC, BEL, C1…) shown as `\\x1b`.

    Newlines and tabs stay; a CRLF becomes a newline, a lone CR is shown as `\\x0d`.
    """
    return _CONTROL.sub(_visible, text.replace("\r\n", "\n"))


def csv_safe(value: str) -> str:
    """A text cell a spreadsheet shows as text: a formula prefix gets a leading `'` (OWASP)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def echo(text: str, *, err: bool = False) -> None:
    """`click.echo` for text that may carry platform content: control characters made visible."""
    click.echo(terminal_safe(text), err=err)


# -- JSON ---------------------------------------------------------------------------------------


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any) -> str:
    """Indented JSON, times in UTC; every control character escaped, so the value stays exact."""
    encoded = json.dumps(value, default=json_default, ensure_ascii=False, indent=2)
    return encoded.translate(_JSON_RAW_CONTROLS)


# -- rows ---------------------------------------------------------------------------------------


def _plain(value: Any, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if fmt == "csv":
            return local_time(value).isoformat()
        return format_time(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_cell(value: Any, *, to_terminal: bool) -> str:
    text = _plain(value, "csv")
    if isinstance(value, str):
        text = csv_safe(text)
    return terminal_safe(text) if to_terminal else text


def table_width() -> int | None:
    """`--width`, else the terminal's (stdout's, or stderr's/stdin's when piped), else unbounded."""
    chosen = _meta(_WIDTH)
    if chosen:
        return int(chosen)
    if sys.stdout.isatty():
        return None  # rich measures the terminal
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stderr, sys.stdin):
        try:
            if stream is not None and stream.isatty():
                return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            continue
    return UNBOUNDED_WIDTH


def emit(
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    title: str | None = None,
    empty: str = "nothing to show",
    wrap: str | None = None,
) -> None:
    """Write `rows` to stdout in `fmt`; `columns` fixes the order (default: first row's keys).

    Give `columns` whenever rows may be empty: CSV always writes its header. `wrap` names the
    table column that wraps long text (default: snippet, text, error… or the widest).
    """
    fmt = output_format(fmt)
    materialised = [dict(row) for row in rows]
    cols = list(columns) if columns else (list(materialised[0]) if materialised else [])
    if fmt == "json":
        click.echo(dumps([{c: row.get(c) for c in cols} for row in materialised]))
    elif fmt == "csv":
        _write_csv(cols, materialised)
    else:
        _print_table(cols, materialised, title=title, empty=empty, wrap=wrap)


def _write_csv(cols: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    stream = sys.stdout
    stream.write(csv_text(cols, rows, excel=bool(_meta(_EXCEL)), to_terminal=stream.isatty()))
    stream.flush()


def csv_text(
    cols: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    excel: bool = False,
    to_terminal: bool = False,
) -> str:
    """`rows` as the CSV `--format csv` writes (the web app's exports use it too)."""
    buffer = io.StringIO()
    if excel:
        buffer.write("\ufeff")
    # RFC 4180 line ends: with "\n" alone, csv would leave a cell holding a lone CR unquoted.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([terminal_safe(c) if to_terminal else c for c in cols])
    for row in rows:
        writer.writerow([_csv_cell(row.get(c), to_terminal=to_terminal) for c in cols])
    return buffer.getvalue()


def _print_table(
    cols: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str | None,
    empty: str,
    wrap: str | None,
) -> None:
    width = table_width()
    console = Console(
        file=sys.stdout,
        width=width,
        soft_wrap=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    safe_title = terminal_safe(title) if title else None
    if not rows:
        console.print(Text(f"{safe_title + ': ' if safe_title else ''}{empty}", style="dim"))
        return
    cells = [[terminal_safe(_plain(row.get(c), "table")) for c in cols] for row in rows]
    times = {c for c in cols if any(isinstance(row.get(c), datetime) for row in rows)}
    caption = f"times in {zone_label()}" if times else None
    table = build_table(
        [terminal_safe(c) for c in cols],
        cells,
        width=width or console.width,
        title=safe_title,
        caption=caption,
        wrap=wrap,
        times=times,
    )
    console.print(table)
