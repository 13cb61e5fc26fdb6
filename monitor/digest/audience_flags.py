"""Flags on the digest's audience rows, from growth's rules: jumps, drops, ended, migrations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from monitor.config import GrowthConfig
from monitor.digest.data import Period
from monitor.growth.flags import WindowChange, migration_flags
from monitor.growth.series import change
from monitor.queries.growth import data as growth_data
from monitor.queries.growth import rollup

WINDOW = timedelta(days=7)


def account_flags(
    session: Session, settings: GrowthConfig, period: Period, ids: Sequence[int]
) -> dict[int, list[str]]:
    """Per account id, short flags over the week ending with the period: "jump +25% on 01 May",
    "drop -30% on 01 May", "deleted" (or private, unavailable), "migration to telegram:x"."""
    flags: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return flags
    wanted = set(ids)
    infos = [info for info in growth_data.select_accounts(session) if info.id in wanted]
    since = period.end - WINDOW
    for row in rollup.jumps(
        session,
        [info.id for info in infos],
        since.date(),
        period.end.date(),
        "followers",
        threshold_percent=settings.jump_threshold_percent,
        min_change=settings.jump_min_change,
    ):
        previous, value = row["previous"], row["value"]
        kind = "jump" if value > previous else "drop"
        percent = (value - previous) * 100.0 / previous
        flags[row["account_id"]].append(f"{kind} {percent:+.0f}% on {row['day']:%d %b}")
    for info in infos:
        if info.ended:
            flags[info.id].append(info.status)
    values = growth_data.values_at(
        session, [info.id for info in infos], {"now": period.end, "since": since}, "followers"
    )
    by_actor: dict[str, list[WindowChange]] = defaultdict(list)
    for info in infos:
        now, before = values["now"].get(info.id), values["since"].get(info.id)
        percent = change(now.value if now else None, before.value if before else None)[1]
        by_actor[info.actor].append(WindowChange(info, percent, now.captured_at if now else None))
    by_label = {info.label: info.id for info in infos}
    for window in by_actor.values():
        threshold = settings.migration_threshold_percent
        for flag in migration_flags(window, threshold_percent=threshold, since=since):
            flags[by_label[flag["from"]]].append(f"migration to {flag['to']}")
            flags[by_label[flag["to"]]].append(f"migration from {flag['from']}")
    return flags
