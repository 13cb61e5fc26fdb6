"""A list page's rows as CSV or JSON: the same shapes as the CLI's `--format csv|json`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from starlette.responses import Response

from monitor.output import csv_text, dumps

ExportFormat = Literal["csv", "json"]


def export_response(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: ExportFormat, name: str
) -> Response:
    """A download named `name.csv` / `name.json` holding `columns` of each row, in order."""
    if fmt == "json":
        body = dumps([{column: row.get(column) for column in columns} for row in rows])
        media_type = "application/json"
    else:
        body = csv_text(columns, rows)
        media_type = "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{name}.{fmt}"'},
    )
