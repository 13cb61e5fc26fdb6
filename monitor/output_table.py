"""Lay out a rich table that fits a width: one column wraps, links stay whole, the rest truncate."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

# Columns that carry long free text, most preferred first: the one of them present wraps.
WRAP_PREFERENCE = ("snippet", "text", "error", "title", "display_name")
# Columns never cut short (a cut link cannot be opened); they fold onto a second line instead.
KEEP_WHOLE = ("link", "url")
# How far each kind of column gives way, in turn, when a table is wider than the terminal:
# the wrapping column first (to a readable width), then the others are cut (an ellipsis), then
# links fold onto more lines, then the others keep three letters, and last the wrapping column.
HEADER_WIDTH = 6
MIN_WRAP_WIDTH = 24
MIN_CUT_WIDTH = 10
MIN_FOLD_WIDTH = 12
LAST_WRAP_WIDTH = 12
LAST_CUT_WIDTH = 4


def _natural(header: str, cells: Sequence[str]) -> int:
    lines = [header, *(line for cell in cells for line in cell.split("\n"))]
    return max(cell_len(line) for line in lines)


def wrap_column(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> str | None:
    """The column that wraps: a known free-text column, else the widest one."""
    for name in WRAP_PREFERENCE:
        if name in columns:
            return name
    if not columns:
        return None
    widths = [_natural(c, [row[i] for row in cells]) for i, c in enumerate(columns)]
    return columns[widths.index(max(widths))]


def _give_way(widths: list[int], indexes: Sequence[int], floor: int, excess: int) -> int:
    """Narrow the widest of `indexes` one cell at a time down to `floor`; the excess left."""
    while excess > 0:
        candidates = [i for i in indexes if widths[i] > floor]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return excess


def column_widths(
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    width: int,
    wrap: str | None,
    times: Collection[str] = (),
) -> list[int | None]:
    """Fixed widths that fit `width` (None: natural), or all None when the table fits as is."""
    natural = [_natural(c, [row[i] for row in cells]) for i, c in enumerate(columns)]
    available = width - (3 * len(columns) + 1)  # borders and one space of padding each side
    excess = sum(natural) - available
    if excess <= 0:
        return [None] * len(columns)
    fixed = list(natural)
    # First, headers wider than their column's contents are cut (`start_seconds` -> `start…`).
    for i in range(len(columns)):
        content = max((cell_len(line) for row in cells for line in row[i].split("\n")), default=0)
        floor = max(content, HEADER_WIDTH)
        if fixed[i] > floor and excess > 0:
            cut_by = min(fixed[i] - floor, excess)
            fixed[i] -= cut_by
            excess -= cut_by
    wrapping = [columns.index(wrap)] if wrap in columns else []
    whole = [i for i, c in enumerate(columns) if c in KEEP_WHOLE and i not in wrapping]
    late = [i for i, c in enumerate(columns) if c in times and i not in wrapping + whole]
    cut = [i for i in range(len(columns)) if i not in wrapping + whole + late]
    for indexes, floor in (
        (wrapping, MIN_WRAP_WIDTH),
        (cut, MIN_CUT_WIDTH),
        (whole, MIN_FOLD_WIDTH),
        (cut, LAST_CUT_WIDTH),
        (late, LAST_CUT_WIDTH),
        (wrapping, LAST_WRAP_WIDTH),
    ):
        excess = _give_way(fixed, indexes, floor, excess)
    return list(fixed)


def build_table(
    columns: Sequence[str],
    cells: Sequence[Sequence[str]],
    *,
    width: int,
    title: str | None,
    caption: str | None,
    wrap: str | None,
    times: Collection[str] = (),
) -> Table:
    """A table of plain-text cells (never rich markup) laid out to fit `width` cells."""
    wrap = wrap if wrap in columns else wrap_column(columns, cells)
    widths = column_widths(columns, cells, width, wrap, times)
    table = Table(
        title=Text(title) if title else None,
        caption=Text(caption) if caption else None,
        show_lines=False,
    )
    for column, fixed in zip(columns, widths, strict=True):
        if column == wrap or column in KEEP_WHOLE:
            table.add_column(Text(column), width=fixed, overflow="fold")
        else:
            table.add_column(Text(column), width=fixed, no_wrap=True, overflow="ellipsis")
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    return table
