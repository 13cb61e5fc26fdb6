"""The collection pass: sync accounts, run each platform's collector, write what it yields."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from collectors.base import Collector
from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    HandleReassigned,
    Interrupted,
    NetworkUnreachable,
)
from collectors.platform import InvalidAccount
from collectors.records import AccountProfile, AccountRef, RawCapture
from collectors.registry import collector_class, platform_spec
from monitor import shutdown
from monitor.accounts import AccountPlan, plan_accounts
from monitor.collect_claims import DueClaims
from monitor.comments import collect_comments, due_threads
from monitor.config import PolmonConfig
from monitor.due import find_due
from monitor.egress import with_egress
from monitor.keywords import match_posts
from monitor.listing import (
    ListingStopped,
    UntilStopRequested,
    batches,
    limits,
    listing_window,
)
from monitor.pass_report import AccountReport, PassReport
from monitor.progress import progress_bar
from monitor.queries.selection import actor_name, find_account_ids
from storage.accounts import (
    account_ref,
    active_accounts,
    advance_cursor,
    apply_profile,
    record_rename,
    record_unavailable,
    sync_accounts,
)
from storage.captures import EvidenceMode, keep_captures, store_captures
from storage.engine import transaction
from storage.evidence_store import EvidenceStore
from storage.ingest import ThreadState, ingest_posts, mark_deleted
from storage.leases import account_lease
from storage.queue import worker_id
from storage.runs import close_interrupted_runs, finish_run, start_run
from storage.types import utcnow

log = logging.getLogger(__name__)
BATCH_SIZE = 200
# The one line an account gets when another process is collecting it.
BUSY = "being collected by another process right now; skipped this time"


class AccountCollection:
    """One account's collection: profile, snapshot, listing, deletions, run record."""

    def __init__(
        self,
        engine: Engine,
        config: PolmonConfig,
        collector: Collector,
        account_id: int,
        extra_urls: tuple[str, ...] = (),
        comments_max: int = 0,
        evidence: EvidenceMode | None = None,
    ):
        self.engine, self.config, self.collector = engine, config, collector
        self.account_id, self.extra_urls = account_id, extra_urls
        self.comments_max = comments_max  # comments read per post (0: none)
        self.evidence = evidence or config.evidence.capture  # the account's `evidence` mode
        self.now = utcnow()

    def run(self, snapshots_only: bool) -> AccountReport:
        """Collect the account, unless another process holds its lease (status `skipped`)."""
        with account_lease(self.engine, self.account_id) as leased:
            if leased:
                return self._run_leased(snapshots_only)
        with transaction(self.engine) as session:
            ref = account_ref(session, self.account_id, self.extra_urls)
        report = AccountReport(ref.platform, ref.handle or "", "skipped", error=BUSY)
        log.warning("%s %s: %s", report.platform, report.handle, BUSY)
        return report

    def _run_leased(self, snapshots_only: bool) -> AccountReport:
        with transaction(self.engine) as session:
            ref = account_ref(session, self.account_id, self.extra_urls)
            close_interrupted_runs(session, self.account_id, self.now)
            run_id = start_run(session, self.account_id, self.now)
        report = AccountReport(ref.platform, ref.handle or "")
        try:
            self._collect(ref, report, snapshots_only)
        except (ListingStopped, Interrupted) as exc:  # a stop request: unfinished, no deletions
            report.status = "partial" if report.new or report.updated else "failed"
            report.error = str(exc)
        except AccountUnavailable as exc:
            ids = (
                {"old_id": exc.old_id, "new_id": exc.new_id}
                if isinstance(exc, HandleReassigned)
                else None
            )
            with transaction(self.engine) as session:
                record_unavailable(
                    session,
                    self.account_id,
                    exc.status,
                    str(exc),
                    kind="handle_reassigned" if ids else None,
                    detail=ids,
                )
            report.status, report.error = "failed", f"{exc.status}: {exc}"
        except CollectorError as exc:
            report.status = "partial" if report.new or report.updated else "failed"
            report.error = str(exc)
            report.unreachable = isinstance(exc, NetworkUnreachable)
            if not exc.expected:
                log.error("%s %s: %s", ref.platform, ref.label, traceback.format_exc())
        except Exception as exc:  # a bug or an unforeseen payload: keep the traceback
            log.exception("collecting %s %s failed", ref.platform, ref.label)
            report.status, report.error = "failed", f"{type(exc).__name__}: {exc}"
        with transaction(self.engine) as session:
            finish_run(
                session,
                run_id,
                status=report.status,
                new=report.new,
                updated=report.updated,
                deleted=report.deleted,
                error=report.error,
                now=utcnow(),
            )
        return report

    def _collect(self, ref: AccountRef, report: AccountReport, snapshots_only: bool) -> None:
        profile = self.collector.fetch_profile(ref)
        with transaction(self.engine) as session:
            apply_profile(
                session,
                self.account_id,
                profile,
                self.now,
                self.collector.platform,
                jump=self.config.growth.jump(),
            )
            if renamed := _rename(ref, profile):
                record_rename(session, self.account_id, *renamed, profile.url)
        if snapshots_only:
            return
        since, limit = listing_window(self.config, ref.platform, ref.cursor, self.now)
        self.collector.take_skipped()  # notes from the profile fetch are not this listing's
        seen: set[str] = set()
        threads: list[ThreadState] = []
        newest: datetime | None = None
        oldest: datetime | None = None
        yielded = 0
        mode: EvidenceMode = self.evidence
        store = EvidenceStore(self.config.evidence_root)
        left_out: list[RawCapture] = []  # `hits` keeps these only if the pass finds a deletion
        listing = UntilStopRequested(self.collector.list_posts(ref, since, limit))
        for batch in batches(iter(listing), BATCH_SIZE):
            yielded += len(batch)
            newest = max([newest or batch[0].published_at, *(r.published_at for r in batch)])
            oldest = min([oldest or batch[0].published_at, *(r.published_at for r in batch)])
            with transaction(self.engine) as session:
                result = ingest_posts(session, self.account_id, batch, utcnow())
                # New and edited posts are matched in the same transaction as their text.
                report.keyword_hits += match_posts(session, self.config, result.matched_post_ids)
                # The responses they came from, linked to the versions, as `evidence` says.
                left_out += keep_captures(
                    session, store, self.account_id, batch, result, mode
                ).left_out
            seen |= result.seen_ids
            threads += result.threads
            report.new += result.new
            report.updated += result.updated
            report.media += result.media
        if listing.stopped:  # an unfinished listing: no deletions, the same window next time
            raise ListingStopped(
                f"stopped ({shutdown.stop_reason()}) before the listing ended; the next pass "
                "reads this window again"
            )
        hit_limit = yielded >= limit
        window_start = oldest if hit_limit and oldest else since
        skipped = self.collector.take_skipped()
        # A skipped post whose id was read still exists; one without an id might be any post.
        seen |= {item.platform_post_id for item in skipped if item.platform_post_id}
        vouched = all(item.platform_post_id for item in skipped)
        with transaction(self.engine) as session:
            # an empty listing of a channel with posts is suspicious: delete nothing
            if seen and vouched:
                report.deleted = mark_deleted(
                    session, self.account_id, window_start, seen, utcnow()
                )
                if report.deleted and left_out:  # the listing that no longer held them
                    store_captures(session, store, self.account_id, left_out)
            advance_cursor(
                session,
                self.account_id,
                synced_through=newest or self.now,
                backfilled_since=since,
                now=utcnow(),
            )
        if self.comments_max:
            self._comments(ref, report, threads)
        if hit_limit:
            report.status = "partial"
            report.error = (
                f"stopped at max_posts_per_account={limit}; posts older than "
                f"{window_start:%Y-%m-%d %H:%M} in this pass's window were not read"
            )
        if skipped:
            report.skipped = len(skipped)
            report.status = "partial"
            note = f"{len(skipped)} post(s) skipped: {skipped[0].reason}"
            if not vouched:
                note += " (no deletions marked this pass)"
            report.error = f"{report.error}; {note}" if report.error else note
            log.warning("%s %s: %s", ref.platform, ref.label, note)

    def _comments(self, ref: AccountRef, report: AccountReport, threads: list[ThreadState]) -> None:
        """Read the comments of the listed posts whose threads changed (monitor/comments.py)."""
        recheck_days = limits(self.config, ref.platform)[1]
        due = due_threads(
            threads,
            counts_known=self.collector.counts_comments,
            recheck_since=self.now - timedelta(days=recheck_days),
        )
        done = collect_comments(
            self.engine, self.config, self.collector, (self.account_id, ref), due, self.comments_max
        )
        report.comments += done.new
        report.keyword_hits += done.keyword_hits
        if done.error:
            report.status = "partial"
            report.error = f"{report.error}; {done.error}" if report.error else done.error


def _rename(ref: AccountRef, profile: AccountProfile) -> tuple[str, str] | None:
    """(old, new) username when a platform that follows renames (`PlatformSpec.follows_renames`)
    found this account, by its id, under another username than it was last seen under."""
    spec = platform_spec(ref.platform)
    if not (spec.follows_renames and profile.handle and ref.platform_id):
        return None
    if profile.platform_id != ref.platform_id:
        return None
    seen = ref.cursor.get("username")
    old = seen if isinstance(seen, str) and seen else (ref.handle or "")
    try:
        changed = spec.parse_account(profile.handle) != spec.parse_account(old)
    except InvalidAccount:
        return None
    return (old, profile.handle) if changed else None


def select_accounts(
    engine: Engine, platform: str | None, handle: str | None, actor: str | None
) -> list[tuple[int, str, str]]:
    """The active accounts to collect; a --account or --actor naming nothing raises
    UnknownSelection."""
    with transaction(engine) as session:
        name = actor_name(session, actor)
        ids = find_account_ids(session, handle, platform=platform, active_only=True)
        return active_accounts(session, platform=platform, actor=name, account_ids=ids)


def _sync(engine: Engine, plan: AccountPlan) -> None:
    """Store the configured accounts. A pass starting at the same moment (the daemon's jobs at
    start) may insert the same new rows first: then once more, seeing them."""
    try:
        with transaction(engine) as session:
            sync_accounts(session, plan.actors, utcnow())
    except IntegrityError:
        with transaction(engine) as session:
            sync_accounts(session, plan.actors, utcnow())


def _collect_account(
    config: PolmonConfig,
    engine: Engine,
    plan: AccountPlan,
    built: dict[str, Collector | Exception],
    target: tuple[int, str, str],
    snapshots_only: bool,
) -> AccountReport:
    """Collect one account with its platform's collector (built once per pass, in `built`)."""
    account_id, platform, handle = target
    collector = built.get(platform)
    if collector is None:
        try:
            collector = collector_class(platform)(config.collector_settings(platform))
        except Exception as exc:  # missing optional library, bad settings
            collector = exc
        built[platform] = collector
    if isinstance(collector, Exception):
        return AccountReport(platform, handle, "failed", error=str(collector))
    collection = AccountCollection(
        engine,
        config,
        collector,
        account_id,
        plan.extra_urls(platform, handle),
        comments_max=plan.comments_max(platform, handle),
        evidence=plan.evidence_mode(config, platform, handle),
    )
    return collection.run(snapshots_only)


@with_egress
def run_collect(
    config: PolmonConfig,
    engine: Engine,
    *,
    platform: str | None = None,
    account: str | None = None,
    actor: str | None = None,
    snapshots_only: bool = False,
    progress: bool = False,
    due: bool = False,
    now: datetime | None = None,
    collectors: Mapping[str, Collector] | None = None,
    owner: str | None = None,
) -> PassReport:
    """One pass over the configured accounts; one failing account never stops the others.

    `due`: only the accounts whose interval_minutes is up at `now` (monitor.due), longest
    waiting first. `collectors`: a collector to use per platform instead of building one from
    the config (e.g. the Telegram collector on a given Telethon client); the pass closes it.
    A due pass claims each account before collecting it (monitor.collect_claims), as
    `owner` (default: a name unique to this process), so passes side by side share them."""
    plan: AccountPlan = plan_accounts(config)
    _sync(engine, plan)
    targets = select_accounts(engine, platform, account, actor)
    if due:
        order = {key: rank for rank, key in enumerate(find_due(config, engine, now or utcnow()))}
        due_targets = [t for t in targets if (t[1], t[2]) in order]
        targets = sorted(due_targets, key=lambda t: order[(t[1], t[2])])
    claims = DueClaims(config, engine, owner or worker_id("collect"), now) if due else None
    report = PassReport()
    built: dict[str, Collector | Exception] = dict(collectors or {})
    with progress_bar(progress, "collect", total=len(targets)) as advance:
        for target in targets if claims is None else claims.take(targets):
            _, account_platform, handle = target
            if shutdown.stop_requested():  # finish the account in hand, start no other
                log.info("collection pass stopped: %s", shutdown.stop_reason())
                if claims is not None:
                    claims.release(target)
                break
            advance(f"{account_platform} {handle}")
            with nullcontext() if claims is None else claims.holding(target):
                report.accounts.append(
                    _collect_account(config, engine, plan, built, target, snapshots_only)
                )
    for collector in built.values():
        if isinstance(collector, Collector):
            collector.close()
    return report
