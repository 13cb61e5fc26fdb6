"""A digest sent by hand after the scheduled one is not mailed again; overlaps need --force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from monitor.config import load_config
from monitor.digest import run_digest
from monitor.schedule_times import last_digest_time
from storage.engine import transaction
from storage.models import Digest
from tests.conftest import TestDatabase, invoke
from tests.support.config import write_config
from tests.support.digest_data import CONFIG_BODY, NOW, populate
from tests.support.smtp_server import smtp_server

pytestmark = pytest.mark.xdist_group("digest-smtp")

# The team's digest runs at 07:00 in Phnom Penh (00:00 UTC).
SCHEDULE = """
[schedule.jobs.morning]
task = "digest"
cron = "0 7 * * *"
"""


def _toml(port: int, schedule: str = SCHEDULE) -> str:
    return (
        CONFIG_BODY
        + schedule
        + f"""
[digest]
enabled = true
[[digest.lists]]
name = "team"
recipients = ["analysts@example.org", "editor@example.org"]

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
max_attempts = 1
retry_backoff_seconds = 0
"""
    )


def _ledger(db: TestDatabase) -> list[tuple[datetime, datetime, str, int]]:
    with transaction(db.engine) as session:
        rows = session.scalars(select(Digest).order_by(Digest.period_start, Digest.id))
        return [(r.period_start, r.period_end, r.status, r.attempts) for r in rows]


def test_a_send_by_hand_after_the_scheduled_one_is_already_sent(
    db: TestDatabase, tmp_path: Path
) -> None:
    populate(db.engine)
    with smtp_server() as (server, port):
        config = load_config(write_config(tmp_path, db, _toml(port)))
        # The scheduler's run at 07:00 (+07): the period ending then.
        [scheduled] = run_digest(config, db.engine, now=NOW)
        assert scheduled.status == "sent" and len(server.received) == 1
        # Sent by hand a minute later: the period ends at the last scheduled time too.
        [again] = run_digest(config, db.engine, now=NOW + timedelta(minutes=1), by_hand=True)
        assert again.status == "already sent"
        assert (again.period.start, again.period.end) == (NOW - timedelta(days=1), NOW)
        assert len(server.received) == 1
        [forced] = run_digest(
            config, db.engine, now=NOW + timedelta(minutes=2), by_hand=True, force=True
        )
        assert forced.status == "sent" and len(server.received) == 2
    # One row for the period, sent twice (one SMTP attempt each).
    assert _ledger(db) == [(NOW - timedelta(days=1), NOW, "sent", 2)]


def test_polmon_digest_send_twice_mails_once_then_force_mails_again(
    db: TestDatabase, tmp_path: Path
) -> None:
    populate(db.engine)
    # The daily digest was due half an hour ago (in the schedule's time zone): the next one is
    # 23 h 30 min away, so both sends of this test fall in the same period whenever it runs.
    due_at = (datetime.now(ZoneInfo("Asia/Phnom_Penh")) - timedelta(minutes=30)).replace(
        second=0, microsecond=0
    )
    schedule = SCHEDULE.replace(
        'cron = "0 7 * * *"', f'cron = "{due_at.minute} {due_at.hour} * * *"'
    )
    with smtp_server() as (server, port):
        path = write_config(tmp_path, db, _toml(port, schedule))
        due = last_digest_time(load_config(path), "team", datetime.now(UTC))
        assert due == due_at
        first = invoke(path, "digest", "--send")
        second = invoke(path, "digest", "--send")
        assert first.exit_code == 0, first.output
        assert first.stdout.startswith("sent team to 2 recipients (1 attempt)")
        assert second.exit_code == 0, second.output
        assert second.stdout.count("\n") == 1  # one line
        assert second.stdout.startswith("not sent: team for ")
        assert "was already sent at" in second.stdout and "--force" in second.stdout
        assert len(server.received) == 1
        forced = invoke(path, "digest", "--send", "--force")
        assert forced.exit_code == 0, forced.output
        assert forced.stdout.startswith("sent team to 2 recipients")
        assert len(server.received) == 2
    assert _ledger(db) == [(due - timedelta(days=1), due, "sent", 2)]
    usage = invoke(path, "digest", "--out", str(tmp_path / "d.html"), "--force")
    assert usage.exit_code == 2 and "--force goes with --send" in usage.stderr
    # A start after the last scheduled time, without an end: one line saying what to give.
    late = invoke(path, "digest", "--send", "--since", "2999-01-01")
    assert late.exit_code == 1
    assert (
        late.stderr.strip()
        .splitlines()[-1]
        .startswith("Error: the period of team would end at its last scheduled time")
    )
    assert "give its end (--until)" in late.stderr


def _span(start: str, end: str) -> tuple[str, ...]:
    return ("digest", "--send", "--since", f"2024-05-{start}+00:00", "--until", f"2024-05-{end}")


def test_a_period_overlapping_a_sent_one_by_more_than_half_needs_force(
    db: TestDatabase, tmp_path: Path
) -> None:
    populate(db.engine)
    with smtp_server() as (server, port):
        path = write_config(tmp_path, db, _toml(port))
        day = _span("01T00:00", "02T00:00+00:00")
        assert invoke(path, *day).stdout.startswith("sent team")
        # 06:00 to 06:00 shares 18 of its 24 hours with the day sent: not sent.
        shifted = _span("01T06:00", "02T06:00+00:00")
        refused = invoke(path, *shifted)
        assert refused.exit_code == 0, refused.output
        assert refused.stdout == (
            "not sent: team for 2024-05-01 13:00 – 2024-05-02 13:00 (Asia/Phnom_Penh) overlaps "
            "the digest sent for 2024-05-01 07:00 – 2024-05-02 07:00 (Asia/Phnom_Penh) by more "
            "than half; give --force to send it\n"
        )
        # One hour inside the day sent: all of it overlaps.
        hour = invoke(path, *_span("01T10:00", "01T11:00+00:00"))
        assert "overlaps the digest sent for 2024-05-01 07:00" in hour.stdout
        assert len(server.received) == 1
        # Noon to noon shares exactly half: sent.
        assert invoke(path, *_span("01T12:00", "02T12:00+00:00")).stdout.startswith("sent team")
        forced = invoke(path, *shifted, "--force")
        assert forced.exit_code == 0 and forced.stdout.startswith("sent team"), forced.output
        assert len(server.received) == 3
    starts = [(row[0].hour, row[2]) for row in _ledger(db)]
    assert starts == [(0, "sent"), (6, "sent"), (12, "sent")]
