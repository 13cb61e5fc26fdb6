"""Collection as claimed work on SQLite and PostgreSQL: due accounts leased to one worker."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import text, update

from storage.account_claims import claim_first, finish_account, renew_account
from storage.engine import transaction
from storage.models import Account, CollectionRun
from storage.types import utcnow
from tests.conftest import TestDatabase
from tests.support import factories as f


def _accounts(db: TestDatabase, count: int) -> list[int]:
    with transaction(db.engine) as session:
        owner = f.actor(session, "Actor")
        return [f.account(session, owner, handle=f"chan{n}").id for n in range(count)]


def test_workers_side_by_side_never_share_an_account(db: TestDatabase) -> None:
    ids = _accounts(db, 30)

    def worker(n: int) -> list[int]:
        got: list[int] = []
        while (taken := claim_first(db.engine, ids, f"w{n}", lease_seconds=60)) is not None:
            got.append(taken)
            assert finish_account(db.engine, taken, f"w{n}", utcnow() + timedelta(hours=1))
        return got

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(worker, range(4)))
    assert sorted(i for r in results for i in r) == ids  # each account once, none twice


def test_held_account_is_not_claimed_until_its_lease_expires(db: TestDatabase) -> None:
    [account_id] = _accounts(db, 1)
    now = utcnow()
    assert claim_first(db.engine, [account_id], "dead", lease_seconds=60, now=now) == account_id
    assert claim_first(db.engine, [account_id], "other", lease_seconds=60, now=now) is None
    later = now + timedelta(seconds=61)  # the dead worker's lease ran out: claimed again
    assert claim_first(db.engine, [account_id], "other", lease_seconds=60, now=later)
    assert not renew_account(db.engine, account_id, "dead", 60)  # the lease moved on
    assert not finish_account(db.engine, account_id, "dead", later)
    assert renew_account(db.engine, account_id, "other", 60)


def test_finished_account_waits_for_its_next_due_time(db: TestDatabase) -> None:
    [account_id] = _accounts(db, 1)
    now = utcnow()
    assert claim_first(db.engine, [account_id], "w", lease_seconds=60, now=now)
    assert finish_account(db.engine, account_id, "w", now + timedelta(minutes=9))
    assert claim_first(db.engine, [account_id], "w", lease_seconds=60, now=now) is None
    due = now + timedelta(minutes=9)
    assert claim_first(db.engine, [account_id], "w", lease_seconds=60, now=due)
    with transaction(db.engine) as session:
        row = session.get(Account, account_id)
        assert row is not None and row.lease_owner == "w"


def test_claims_follow_the_given_order_and_skip_inactive_accounts(db: TestDatabase) -> None:
    first, second, third = _accounts(db, 3)
    with transaction(db.engine) as session:
        row = session.get(Account, second)
        assert row is not None
        row.active = False
    order = [third, second, first]
    assert claim_first(db.engine, order, "w", lease_seconds=60) == third
    assert claim_first(db.engine, order, "w", lease_seconds=60) == first  # third held, second off
    assert claim_first(db.engine, order, "w", lease_seconds=60) is None


def test_a_run_stored_before_the_lease_ran_out_fences_a_second_claim(db: TestDatabase) -> None:
    """The worker stored its run, then lost its lease before giving it back: the account is
    due and free again, but a finished run since the fence keeps a second collection off."""
    [account_id] = _accounts(db, 1)
    now = utcnow()
    fence = now - timedelta(minutes=9)
    assert claim_first(db.engine, [account_id], "slow", lease_seconds=5, now=now)
    with transaction(db.engine) as session:
        owner = session.get(Account, account_id)
        assert owner is not None
        f.collection_run(session, owner, now, "ok")
    later = now + timedelta(seconds=6)  # the lease ran out; next_due_at was never moved on
    fences = {account_id: fence}
    taken = claim_first(
        db.engine, [account_id], "other", lease_seconds=5, now=later, not_collected_since=fences
    )
    assert taken is None
    # a run the dead worker left `running` does not fence: the account is collected again
    with transaction(db.engine) as session:
        session.execute(update(CollectionRun).values(status="running"))
    taken = claim_first(
        db.engine, [account_id], "other", lease_seconds=5, now=later, not_collected_since=fences
    )
    assert taken == account_id


def test_each_account_is_fenced_by_its_own_time(db: TestDatabase) -> None:
    """Accounts of different intervals in one claim: a run 20 minutes ago fences the account
    collected every hour, not the one collected every 10 minutes."""
    hourly, frequent = _accounts(db, 2)
    now = utcnow()
    with transaction(db.engine) as session:
        for account_id in (hourly, frequent):
            row = session.get(Account, account_id)
            assert row is not None
            f.collection_run(session, row, now - timedelta(minutes=20), "ok")
    fences = {hourly: now - timedelta(minutes=54), frequent: now - timedelta(minutes=9)}
    ids = [hourly, frequent]
    assert claim_first(db.engine, ids, "w", lease_seconds=60, not_collected_since=fences) == (
        frequent
    )
    assert claim_first(db.engine, ids, "w", lease_seconds=60, not_collected_since=fences) is None


def test_a_row_another_claim_has_locked_is_passed_on_to_the_next(pg_db: TestDatabase) -> None:
    """PostgreSQL: while one worker's claim holds the first account's row, a second worker's
    claim over the same list takes the second account at once (it neither waits nor fails)."""
    first, second = _accounts(pg_db, 2)
    with pg_db.engine.connect() as other, other.begin():
        other.execute(text("SELECT id FROM accounts WHERE id = :id FOR UPDATE"), {"id": first})
        assert claim_first(pg_db.engine, [first, second], "w2", lease_seconds=60) == second
    assert claim_first(pg_db.engine, [first, second], "w1", lease_seconds=60) == first
