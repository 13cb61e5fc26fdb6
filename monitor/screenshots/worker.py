"""The screenshot stage: queue the posts `[evidence] screenshots` asks for, then claim each
job, capture the post's page (or polmon's rendering of a deleted post's last-seen version),
store the PNG by its sha256 and record it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Engine

from collectors.errors import PolmonError
from monitor import shutdown
from monitor.config import PolmonConfig
from monitor.screenshots.browser import CaptureFailed, Capturer
from monitor.screenshots.files import evidence_dir, store_png
from monitor.screenshots.render import rendered_version_html
from monitor.screenshots.report import ScreenshotReport
from storage.engine import transaction
from storage.queue import complete
from storage.screenshots import (
    CaptureToSave,
    ScreenshotTarget,
    queue_screenshots,
    ready_jobs,
    save_screenshot,
    screenshot_stage,
    screenshot_target,
)
from storage.types import utcnow
from storage.worker import QueueWorker

if TYPE_CHECKING:
    from playwright.sync_api import Browser

log = logging.getLogger("polmon.screenshots")


class _LeaseLost(PolmonError):
    """Another worker took the job while we captured: our result is dropped."""


def page_url(target: ScreenshotTarget, telegram_embed: bool) -> str | None:
    """The public page a person would open for the post: Telegram's embed of the post
    (`https://t.me/<channel>/<id>?embed=1`) or its link; other platforms' post URL. None
    when no http(s) link is stored (the version is rendered instead)."""
    url = target.url
    if not url and target.platform == "telegram":
        url = f"https://t.me/{target.handle}/{target.platform_post_id}"
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if target.platform == "telegram" and telegram_embed and not parts.query:
        return urlunsplit(parts._replace(query="embed=1", fragment=""))
    return url


class ScreenshotWorker(QueueWorker[ScreenshotReport]):
    """Captures one job at a time in one Chromium (started once per run)."""

    def __init__(
        self, config: PolmonConfig, engine: Engine, browser: Browser | None = None
    ) -> None:
        evidence = config.evidence
        stage = screenshot_stage(
            lease_seconds=evidence.screenshot_lease_seconds,
            max_attempts=evidence.screenshot_max_attempts,
            backoff_seconds=evidence.screenshot_retry_seconds,
        )
        super().__init__(engine, stage, ScreenshotReport(), stop=shutdown.STOP)
        self.config = config
        self.root = evidence_dir(config)
        browser_config = evidence.model_copy(
            update={"chromium_path": config.resolve(evidence.chromium_path)}
        )
        self.capturer = Capturer(browser_config, browser)

    def run(self, limit: int | None = None, on_item: Callable[[], None] | None = None) -> None:
        """Capture until the queue is empty, `limit` jobs were claimed, or a stop request;
        Chromium is started before the first claim (ChromiumUnavailable: none is claimed)."""
        with self.capturer:
            self.drain(limit=limit, on_item=None if on_item is None else lambda _r: on_item())

    def process(self, media_id: int, owner: str) -> None:
        job_id = media_id  # the queue's row id: here a screenshot job's
        with transaction(self.engine) as session:
            target = screenshot_target(session, job_id)
        if target is None:  # deleted with its post meanwhile
            return
        try:
            if target.kind == "page" and target.deleted:
                # Its page is gone; the deleted post's rendering is queued on its own.
                self._finish(job_id, owner, None, target)
                return
            with self.heartbeat(job_id, owner) as beat:
                url, kind, png = self._capture(target)
            if beat.lost:
                raise _LeaseLost
            self._finish(job_id, owner, (url, kind, png), target)
        except _LeaseLost:
            self.report.count("lost", job_id, "lease lost to another worker")
        except CaptureFailed as exc:
            self._fail(job_id, owner, str(exc))
        except OSError as exc:  # the evidence folder: full or not writable; not the page's fault
            self.give_back(job_id, owner, retry_after=300, error=f"screenshots: {exc}")
        except Exception as exc:  # one bad job never stops the run: retried with backoff
            log.exception("screenshot job %s failed", job_id)
            self._fail(job_id, owner, f"{type(exc).__name__}: {exc}")

    def _capture(self, target: ScreenshotTarget) -> tuple[str | None, str, bytes]:
        """(the URL loaded or None, the screenshot's kind, the PNG)."""
        url = (
            None if target.kind != "page" else page_url(target, self.config.evidence.telegram_embed)
        )
        if url is None:
            return None, "rendered_version", self.capturer.rendering(rendered_version_html(target))
        return url, "page", self.capturer.page(url)

    def _finish(
        self,
        job_id: int,
        owner: str,
        captured: tuple[str | None, str, bytes] | None,
        target: ScreenshotTarget,
    ) -> None:
        """The file under the evidence folder, then its row and the job's `done` in one
        transaction (nothing recorded when the lease was lost meanwhile)."""
        capture = None
        if captured is not None:
            url, kind, png = captured
            stored = store_png(self.root, png)
            capture = CaptureToSave(
                post_id=target.post_id,
                post_version_id=target.post_version_id,
                kind=kind,
                url=url,
                captured_at=utcnow(),
                sha256=stored.sha256,
                size_bytes=stored.size_bytes,
                width=stored.width,
                height=stored.height,
                storage_key=stored.key,
            )
        with transaction(self.engine) as session:
            if not complete(session, self.stage, job_id, owner):
                raise _LeaseLost
            if capture is not None:
                save_screenshot(session, capture)
        if capture is None:
            self.report.count("gone", job_id)
        else:
            self.report.count("pages" if capture.kind == "page" else "rendered", job_id)

    def _fail(self, job_id: int, owner: str, error: str) -> None:
        outcome = self.fail_item(job_id, owner, f"screenshot: {error}")
        if outcome != "lost":
            log.warning("screenshot job %s: %s (%s)", job_id, error, outcome)


def queue_jobs(config: PolmonConfig, engine: Engine) -> int:
    """Queue the screenshots `[evidence] screenshots` asks for; returns how many."""
    now = utcnow()
    recent = now - timedelta(days=config.evidence.screenshot_recent_days)
    return queue_screenshots(engine, config.evidence.screenshots, now, recent)


def screenshots_waiting(config: PolmonConfig, engine: Engine) -> int:
    """Jobs due now, after queueing what is new (the daemon's idle check)."""
    queue_jobs(config, engine)
    with transaction(engine) as session:
        return ready_jobs(session, utcnow())


def run_screenshots(
    config: PolmonConfig,
    engine: Engine,
    *,
    limit: int | None = None,
    browser: Browser | None = None,
) -> ScreenshotReport:
    """Queue new screenshots, then take them (at most `limit`). A page that fails or times out
    is recorded and retried with backoff, never raised; ChromiumUnavailable is raised before
    any claim. With `[evidence] screenshots = "none"` nothing is queued or taken (jobs queued
    before are left waiting). `browser`: a running Chromium to use instead of starting one."""
    if config.evidence.screenshots == "none":
        log.info('screenshots are off ([evidence] screenshots = "none")')
        return ScreenshotReport()
    queued = queue_jobs(config, engine)
    worker = ScreenshotWorker(config, engine, browser)
    worker.report.queued = queued
    with transaction(engine) as session:
        if not ready_jobs(session, utcnow()):
            return worker.report  # nothing to take: Chromium is not started
    worker.run(limit)
    return worker.report
