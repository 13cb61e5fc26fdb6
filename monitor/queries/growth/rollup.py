"""Reads of the audience_daily rollup in each engine's SQL: period values and day-over-day jumps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from monitor.growth.series import Interval
from monitor.queries.growth.data import METRICS, Metric

# Rows before `since` read so a jump on the window's first day has a previous value.
JUMP_LOOKBACK_DAYS = 7


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _params(session: Session, ids: Sequence[int], **dates: date) -> dict[str, Any]:
    # SQLite keeps dates as ISO text: bind them as text so comparisons are textual.
    as_text = not _postgres(session)
    return {"ids": list(ids), **{k: (v.isoformat() if as_text else v) for k, v in dates.items()}}


def period_values(
    session: Session,
    ids: Sequence[int],
    since: date,
    until: date,
    metric: Metric,
    interval: Interval,
) -> dict[int, dict[date, tuple[int, bool]]]:
    """Per account: period start -> (last non-null value in the period, approximate)."""
    if metric not in METRICS:  # metric and interval are whitelisted: safe in the SQL text
        raise ValueError(f"unknown metric {metric!r}")
    where = f"account_id IN :ids AND day >= :since AND day <= :until AND {metric} IS NOT NULL"
    if interval == "day":
        sql = f"SELECT account_id, day, {metric}, is_approximate FROM audience_daily WHERE {where}"  # noqa: S608
    elif _postgres(session):
        period = f"date_trunc('{interval}', day)::date"
        sql = (
            f"SELECT DISTINCT ON (account_id, {period}) account_id, {period}, {metric}, "  # noqa: S608
            f"is_approximate FROM audience_daily WHERE {where} "
            f"ORDER BY account_id, {period}, day DESC"
        )
    else:
        period = (
            "date(day, 'weekday 0', '-6 days')"
            if interval == "week"
            else "strftime('%Y-%m-01', day)"
        )
        # SQLite: with max(), the bare columns come from the row holding the maximum.
        sql = (
            f"SELECT account_id, {period} AS period, {metric}, is_approximate, max(day) "  # noqa: S608
            f"FROM audience_daily WHERE {where} GROUP BY account_id, period"
        )
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    out: dict[int, dict[date, tuple[int, bool]]] = {account_id: {} for account_id in ids}
    params = _params(session, ids, since=since, until=until)
    for row in session.execute(statement, params):
        out[row[0]][_day(row[1])] = (row[2], bool(row[3]))
    return out


def jumps(
    session: Session,
    ids: Sequence[int],
    since: date,
    until: date,
    metric: Metric,
    *,
    threshold_percent: float,
    min_change: int,
) -> list[dict[str, Any]]:
    """Day-over-day changes of at least `threshold_percent` and `min_change`, in SQL."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    sql = f"""
        SELECT account_id, day, value, previous FROM (
          SELECT account_id, day, {metric} AS value,
                 lag({metric}) OVER (PARTITION BY account_id ORDER BY day) AS previous
          FROM audience_daily
          WHERE account_id IN :ids AND day >= :lookback AND day <= :until
            AND {metric} IS NOT NULL
        ) AS lagged
        WHERE day >= :since AND previous > 0 AND abs(value - previous) >= :min_change
          AND abs(value - previous) * 100.0 >= previous * :threshold
        ORDER BY account_id, day
    """  # noqa: S608
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    params = _params(
        session, ids, since=since, until=until, lookback=since - timedelta(JUMP_LOOKBACK_DAYS)
    )
    params.update(min_change=min_change, threshold=threshold_percent)
    found = [
        {
            "account_id": row.account_id,
            "day": _day(row.day),
            "value": row.value,
            "previous": row.previous,
        }
        for row in session.execute(statement, params)
    ]
    # The day of the previous value: a second lag() would double the scan's cost, and jumps
    # are rare, so look it up per jump (an index seek each).
    previous_day = text(
        f"SELECT max(day) FROM audience_daily WHERE account_id = :account AND day < :day "  # noqa: S608
        f"AND {metric} IS NOT NULL"
    )
    for jump in found:
        day = jump["day"].isoformat() if not _postgres(session) else jump["day"]
        value = session.execute(previous_day, {"account": jump["account_id"], "day": day})
        jump["previous_day"] = _day(value.scalar_one())
    return found
