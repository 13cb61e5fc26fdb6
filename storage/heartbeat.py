"""A thread that keeps renewing a lease (a media row, an account) while long work runs."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from storage.queue import Stage, renew

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews the lease every third of its length; `lost` turns true if another worker took it."""

    def __init__(
        self,
        engine: Engine,
        stage: Stage | None,
        media_id: int,
        owner: str,
        *,
        interval: float | None = None,
    ) -> None:
        self.engine, self.stage, self.media_id, self.owner = engine, stage, media_id, owner
        if interval is None:
            assert stage is not None
            interval = stage.lease_seconds / 3
        self.interval = max(interval, 0.05)
        self._lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"lease-heartbeat-{media_id}", daemon=True
        )

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            try:
                if not self.renew():
                    log.warning("lease on row %s was lost to another worker", self.media_id)
                    self._lost.set()
                    return
            except SQLAlchemyError as exc:  # a database hiccup: try again next beat
                log.warning("could not renew the lease on row %s: %s", self.media_id, exc)

    def renew(self) -> bool:
        """Extend the lease; False when another worker took it."""
        assert self.stage is not None
        return renew(self.engine, self.stage, self.media_id, self.owner)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()
