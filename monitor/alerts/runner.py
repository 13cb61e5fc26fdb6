"""The dispatcher inside `polmon run`: a thread sending alerts every interval, and when woken."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from monitor.alerts.dispatch import dispatch_once
from monitor.config import PolmonConfig
from storage.queue import worker_id

log = logging.getLogger(__name__)


class AlertLoop:
    """Dispatches every `dispatch_interval_seconds`, and at once after `wake()` (a collection
    or transcription finished); a failing pass is logged and the loop goes on.

    `periodic=False` (`polmon worker`): only when woken; the daemon's loop does the rest
    (retries, bundles whose window closed later). Deliveries are leased, so loops in several
    processes never send one twice.
    """

    def __init__(self, config: PolmonConfig, engine: Engine, *, periodic: bool = True) -> None:
        self.config = config
        self.engine = engine
        self.periodic = periodic
        self.owner = worker_id("alerts")
        self._wake = threading.Event()  # ends the wait: a wake or a stop
        self._woken = threading.Event()  # a wake() since the last pass
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        settings = self.config.alerts
        return settings.enabled and bool(settings.rules)

    def start(self) -> None:
        if not self.active:
            return
        self._thread = threading.Thread(target=self._run, name="polmon-alerts", daemon=True)
        self._thread.start()
        if self.periodic:
            log.info(
                "alerts: dispatching every %gs and after each collection and transcription",
                self.config.alerts.dispatch_interval_seconds,
            )
        else:
            log.info("alerts: dispatching after each transcript that finds a keyword")

    def wake(self) -> None:
        self._woken.set()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        interval = self.config.alerts.dispatch_interval_seconds if self.periodic else None
        if self.periodic:
            self.dispatch()
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            woken = self._woken.is_set()
            self._woken.clear()
            if self._stop.is_set() and not woken:
                return
            if woken or self.periodic:  # a wake just before a stop is still served
                self.dispatch()

    def dispatch(self) -> None:
        """One pass; its failure (the database down…) is logged, never raised."""
        try:
            report = dispatch_once(self.engine, self.config, owner=self.owner)
        except Exception:
            log.exception("alerts: dispatch failed")
            return
        if report.messages_sent or report.failed or report.retrying:
            log.info(
                "alerts: %d message(s) sent (%d deliveries), %d to retry, %d failed",
                report.messages_sent,
                report.delivered,
                report.retrying,
                report.failed,
            )
