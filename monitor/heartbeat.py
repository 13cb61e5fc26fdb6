"""A thread that keeps renewing a media lease while a long download or transcription runs."""

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

    def __init__(self, engine: Engine, stage: Stage, media_id: int, owner: str) -> None:
        self.engine, self.stage, self.media_id, self.owner = engine, stage, media_id, owner
        self.interval = max(stage.lease_seconds / 3, 0.05)
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
                if not renew(self.engine, self.stage, self.media_id, self.owner):
                    log.warning("lease on media %s was lost to another worker", self.media_id)
                    self._lost.set()
                    return
            except SQLAlchemyError as exc:  # a database hiccup: try again next beat
                log.warning("could not renew the lease on media %s: %s", self.media_id, exc)

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
