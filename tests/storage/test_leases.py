"""Account leases: one holder at a time, in one process or across processes, on both engines."""

from __future__ import annotations

from pathlib import Path

from storage.leases import account_lease, lock_file_path
from tests.conftest import TestDatabase


def test_lease_is_exclusive_and_given_back(db: TestDatabase) -> None:
    with account_lease(db.engine, 7) as first:
        assert first
        with account_lease(db.engine, 7) as second, account_lease(db.engine, 8) as other:
            assert (second, other) == (False, True)
    with account_lease(db.engine, 7) as again:
        assert again


def test_lock_file_sits_beside_the_database_for_paths_and_uris() -> None:
    expected = Path("/data/polmon.sqlite3.collect-locks")
    assert lock_file_path("/data/polmon.sqlite3") == expected
    assert lock_file_path("file:/data/polmon.sqlite3?mode=ro") == expected
