"""CSV: one table per output, a header even when empty, and a UTF-8-with-BOM form for Excel."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.conftest import TestDatabase, invoke
from tests.support.corpus import seed

KHMER = "ប៉ូលិសនឹងចាប់ខ្លួនជនក្បត់ជាតិ"


@pytest.fixture
def config(db: TestDatabase, tmp_path: Path) -> Path:
    return seed(db, tmp_path, [KHMER])


def test_empty_results_still_write_the_header(config: Path) -> None:
    for args, first in (
        (("hits",), "published_at,group,term"),
        (("posts", "--since", "2100-01-01"), "id,actor,platform"),
        (("search", "nothing-like-this"), "score,kind,published_at"),
        (("accounts", "list"), "actor,platform,handle"),
        (("trends",), "group,actor,period_start"),
    ):
        result = invoke(config, *args, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0].startswith(first), args
        assert len(result.output.splitlines()) <= 2  # accounts list has its one account


def test_status_csv_is_one_table_chosen_by_section(config: Path) -> None:
    refused = invoke(config, "status", "--format", "csv")
    assert refused.exit_code == 2
    assert "--section" in refused.output and "runs" in refused.output
    tables = list(
        csv.reader(
            io.StringIO(invoke(config, "status", "--section", "tables", "--format", "csv").output)
        )
    )
    assert tables[0] == ["table", "rows"] and ["posts", "1"] in tables
    runs = invoke(config, "status", "--section", "runs", "--format", "csv").output
    assert runs.splitlines() == ["platform,handle,started_at,status,new,updated,deleted,error"]
    only_tables = invoke(config, "status", "--section", "tables").output
    assert "queue backlog" not in only_tables and "posts" in only_tables


def test_excel_csv_has_a_bom_so_khmer_opens_correctly(config: Path) -> None:
    result = invoke(config, "posts", "--excel")
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith("\ufeff".encode())
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["text"] == KHMER
    assert invoke(config, "posts", "--format", "csv", "--excel").stdout_bytes == raw
    plain = invoke(config, "posts", "--format", "csv").stdout_bytes
    assert raw == "\ufeff".encode() + plain  # the same CSV, with the byte-order mark
    refused = invoke(config, "posts", "--excel", "--format", "json")
    assert refused.exit_code == 2 and "--excel" in refused.output
