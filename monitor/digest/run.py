"""run_digest: gather, render and send (or just render) the digest of each recipient list."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor import logs
from monitor.config import ConfigError, PolmonConfig
from monitor.digest.data import ALL, Period, Scope, period_ending
from monitor.digest.gather import check_scope, gather
from monitor.digest.message import build_message
from monitor.digest.render import RenderedDigest, render
from monitor.digest.sender import deliver
from monitor.schedule_times import digest_period_end
from storage import digests as ledger
from storage.engine import session_factory

log = logging.getLogger(__name__)

OutcomeStatus = Literal["rendered", "sent", "failed", "already sent", "overlaps", "busy"]


class DigestError(PolmonError):
    """A digest could not be sent; one line for the user (details in the `digests` table)."""

    expected = True


@dataclass
class ListOutcome:
    """What happened to one list's digest for one period."""

    list_name: str
    period: Period
    status: OutcomeStatus
    recipients: tuple[str, ...] = ()
    rendered: RenderedDigest | None = None
    attempts: int = 0
    error: str | None = None
    sent_at: datetime | None = None
    overlaps: Period | None = None  # status "overlaps": the sent digest's period


def scheduled_period(
    config: PolmonConfig, scope: Scope, now: datetime, since: datetime | None = None
) -> Period:
    """A period asked for by hand: it ends at the list's last scheduled digest time (or the
    hour's start without a digest job; `schedule_times.digest_period_end`) and starts at
    `since`, else [digest] period_hours before its end. A send right after the scheduled one
    thus has the scheduled one's period, and the ledger knows it was sent."""
    end = digest_period_end(config, scope.name, now).replace(microsecond=0)
    start = since or end - timedelta(hours=config.digest.period_hours)
    if end <= start:
        raise DigestError(
            f"the period of {scope.name} would end at its last scheduled time "
            f"{end.isoformat(timespec='minutes')}, before it starts: give its end (--until)"
        )
    return Period(start, end, config.schedule.timezone)


def overlapping_sent(engine: Engine, scope: Scope, period: Period) -> Period | None:
    """A digest already sent to the list whose period covers more than half of `period`
    (the same period is the ledger's own "already sent")."""
    length = period.end - period.start
    for sent in ledger.sent_overlapping(engine, scope.name, (period.start, period.end)):
        if (sent.period_start, sent.period_end) == (period.start, period.end):
            continue
        shared = min(period.end, sent.period_end) - max(period.start, sent.period_start)
        if shared * 2 > length:
            return Period(sent.period_start, sent.period_end, period.zone)
    return None


def select_scopes(config: PolmonConfig, names: Sequence[str] | None) -> list[Scope]:
    """The configured lists named in `names` (all when None); none configured: everything."""
    configured = [Scope.from_list(item) for item in config.digest.lists]
    if not names:
        return configured or [ALL]
    by_name = {scope.name: scope for scope in configured}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(by_name) or "none configured"
        raise ConfigError(
            config.source or "polmon.toml",
            "digest.lists",
            f"no list named {unknown[0]!r} (lists: {known})",
        )
    return [by_name[name] for name in names]


def run_digest(
    config: PolmonConfig,
    engine: Engine,
    *,
    now: datetime | None = None,
    send: bool = True,
    period: Period | None = None,
    lists: Sequence[str] | None = None,
    since: datetime | None = None,
    by_hand: bool = False,
    force: bool = False,
) -> list[ListOutcome]:
    """Digest of `period` (default: [digest] period_hours ending `now`) for each list.

    send=True mails each list once per period (a list already sent is skipped, a failure is
    retried then recorded in `digests`); send=False only renders, charts as data: URIs.
    `by_hand` (`polmon digest`): without `period`, each list's period is `scheduled_period`
    (from `since` if given), and a send whose period overlaps one already sent to the list by
    more than half is skipped ("overlaps"). `force` sends even then, and sends again a period
    already sent.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    scopes = select_scopes(config, lists)
    if send:
        if not config.digest.enabled:
            raise DigestError("digest sending is off: set [digest] enabled = true in the config")
        if scopes == [ALL]:
            raise DigestError("no recipients: add a [[digest.lists]] with recipients")
    outcomes = []
    for scope in scopes:
        check_scope(config, scope)
        if period is not None:
            chosen = period
        elif by_hand:
            chosen = scheduled_period(config, scope, moment, since)
        else:
            chosen = period_ending(config, moment)
        outcomes.append(
            _one_list(config, engine, scope, chosen, send=send, check_overlap=by_hand, force=force)
        )
    return outcomes


def _one_list(
    config: PolmonConfig,
    engine: Engine,
    scope: Scope,
    period: Period,
    *,
    send: bool,
    check_overlap: bool = False,
    force: bool = False,
) -> ListOutcome:
    outcome = ListOutcome(scope.name, period, "rendered", scope.recipients)
    started = datetime.now(UTC)
    claim = None
    if send and check_overlap and not force:
        covered = overlapping_sent(engine, scope, period)
        if covered is not None:
            outcome.status, outcome.overlaps = "overlaps", covered
            log.info(
                "digest %s for %s overlaps the one sent for %s by more than half, not sending",
                scope.name,
                period.label,
                covered.label,
            )
            return outcome
    if send:
        claim = ledger.claim(
            engine,
            scope.name,
            list(scope.recipients),
            (period.start, period.end),
            started,
            force=force,
        )
        if claim.status != "claimed":
            outcome.status = "already sent" if claim.status == "sent" else "busy"
            outcome.sent_at = claim.sent_at
            log.info(
                "digest %s for %s: %s, not sending again", scope.name, period.label, outcome.status
            )
            return outcome
    assert claim is None or claim.digest_id is not None
    try:
        with session_factory(engine)() as session:
            data = gather(session, config, period, scope, generated_at=started)
        outcome.rendered = render(data, prefix=config.digest.subject_prefix, inline=send)
        if claim is None:
            return outcome
        password = config.smtp_password(required=bool(config.smtp.username))
        logs.register_secret(password)
        message = build_message(
            outcome.rendered,
            sender=config.smtp.from_address,
            recipients=scope.recipients,
            sent_at=datetime.now(UTC),
        )
        ca_file = config.resolve(config.smtp.ca_file) if config.smtp.ca_file else None
        delivery = deliver(config.smtp, password, message, ca_file=ca_file)
    except BaseException as exc:
        if claim is not None and claim.digest_id is not None:
            error = f"{type(exc).__name__}: {exc}"
            ledger.finish(
                engine, claim.digest_id, ok=False, attempts=0, error=error, now=datetime.now(UTC)
            )
        raise
    assert claim.digest_id is not None
    finished = datetime.now(UTC)
    ledger.finish(
        engine,
        claim.digest_id,
        ok=delivery.ok,
        attempts=delivery.attempts,
        error=delivery.error,
        now=finished,
    )
    outcome.status = "sent" if delivery.ok else "failed"
    outcome.attempts, outcome.error = delivery.attempts, delivery.error
    outcome.sent_at = finished if delivery.ok else None
    if delivery.ok:
        log.info(
            "digest %s for %s sent to %d recipients",
            scope.name,
            period.label,
            len(scope.recipients),
        )
    else:
        log.error(
            "digest %s for %s failed after %d attempts: %s",
            scope.name,
            period.label,
            delivery.attempts,
            delivery.error,
        )
    return outcome


def write_digest(
    config: PolmonConfig,
    engine: Engine,
    path: Path,
    *,
    now: datetime | None = None,
    period: Period | None = None,
    list_name: str | None = None,
) -> ListOutcome:
    """Render one digest to an HTML file (charts embedded); nothing is sent or recorded.

    The list is `list_name`, else the only configured list, else everything.
    """
    period = period or period_ending(config, (now or datetime.now(UTC)).astimezone(UTC))
    if list_name is None and len(config.digest.lists) == 1:
        list_name = config.digest.lists[0].name
    scope = select_scopes(config, [list_name])[0] if list_name else ALL
    check_scope(config, scope)
    outcome = _one_list(config, engine, scope, period, send=False)
    assert outcome.rendered is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(outcome.rendered.html, encoding="utf-8")
    return outcome


def raise_for_failures(outcomes: Sequence[ListOutcome]) -> None:
    """Raise DigestError naming the lists whose send failed (for the CLI and the scheduler)."""
    failed = [item for item in outcomes if item.status == "failed"]
    if failed:
        raise DigestError(
            "; ".join(
                f"digest {item.list_name} not sent after {item.attempts} attempts: {item.error}"
                for item in failed
            )
        )
