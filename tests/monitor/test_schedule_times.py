"""Where a digest asked for by hand ends: its list's last scheduled time, else the hour's start."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.config import PolmonConfig
from monitor.schedule_times import digest_period_end, last_digest_time


def _config(zone: str = "Asia/Phnom_Penh", **jobs: dict[str, Any]) -> PolmonConfig:
    lists = [{"name": name, "recipients": [f"{name}@example.org"]} for name in ("team", "desk")]
    return PolmonConfig.model_validate(
        {"schedule": {"timezone": zone, "jobs": jobs}, "digest": {"lists": lists}}
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daily_cron_digest_ends_at_its_last_run() -> None:
    config = _config(morning={"task": "digest", "cron": "0 7 * * *"})  # 07:00 +07 = 00:00 UTC
    assert digest_period_end(config, "team", at("2024-05-02T00:30")) == at("2024-05-02T00:00")
    assert digest_period_end(config, "team", at("2024-05-02T00:00")) == at("2024-05-02T00:00")
    assert digest_period_end(config, "team", at("2024-05-01T23:59")) == at("2024-05-01T00:00")


def test_jobs_for_other_lists_disabled_jobs_and_no_job() -> None:
    config = _config(
        desk={"task": "digest", "cron": "0 7 * * *", "lists": ["desk"]},
        off={"task": "digest", "cron": "30 * * * *", "enabled": False},
        collect={"task": "collect", "cron": "*/5 * * * *"},
    )
    now = at("2024-05-02T10:40")
    assert last_digest_time(config, "desk", now) == at("2024-05-02T00:00")
    assert last_digest_time(config, "team", now) is None
    # No job for the list: the start of the hour in [schedule] timezone.
    assert digest_period_end(config, "team", now) == at("2024-05-02T10:00")
    half_hour_zone = _config("Asia/Kolkata")  # +05:30: its hours start at :30 UTC
    assert digest_period_end(half_hour_zone, "team", now) == at("2024-05-02T10:30")


def test_the_latest_of_several_jobs_interval_and_monthly() -> None:
    config = _config(
        morning={"task": "digest", "cron": "0 7 * * *"},
        evening={"task": "digest", "cron": "0 19 * * *", "lists": ["team"]},
    )
    assert digest_period_end(config, "team", at("2024-05-02T13:00")) == at("2024-05-02T12:00")
    assert digest_period_end(config, "team", at("2024-05-02T11:00")) == at("2024-05-02T00:00")
    # Every 6 hours from midnight in Phnom Penh: 00, 06, 12, 18 local; 07:30 local -> 06:00.
    every = _config(six={"task": "digest", "interval_minutes": 360})
    assert digest_period_end(every, "team", at("2024-05-02T00:30")) == at("2024-05-01T23:00")
    monthly = _config(first={"task": "digest", "cron": "0 7 1 * *"})
    assert digest_period_end(monthly, "team", at("2024-05-20T00:00")) == at("2024-05-01T00:00")
