"""Shared request slots: several workers, each on its own engine, space their requests to a
host as one, on both engines; the server's recorded arrival times and the reserved slots
are checked, never the test's own duration."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Engine, select

from collectors.http import PoliteClient, RetryPolicy, budget_key
from storage.engine import make_engine, transaction
from storage.models import RateBudgetRow
from storage.rate_budgets import DatabaseRateBudget, Slot, hold_off, reserve_slot
from tests.conftest import REPO_ROOT, TestDatabase
from tests.support.local_server import LocalServer

WORKERS = 3
INTERVAL = 0.2  # seconds between two requests to one host, whoever sends them
# The server's clock and the database's are this machine's; SQLite reads it to the ms.
CLOCK_RESOLUTION = 0.005


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def _gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [later - earlier for earlier, later in itertools.pairwise(ordered)]


def test_reserved_slots_of_separate_engines_never_overlap(db: TestDatabase) -> None:
    slots: list[Slot] = []
    lock = threading.Lock()

    def worker(_index: int) -> None:
        engine = make_engine(db.url)  # each worker its own engine and connections
        try:
            for _ in range(5):
                slot = reserve_slot(engine, "t.me", INTERVAL)
                with lock:
                    slots.append(slot)
        finally:
            engine.dispose()

    _in_threads(WORKERS, worker)
    assert len(slots) == WORKERS * 5
    assert min(_gaps([s.start for s in slots])) >= INTERVAL - 1e-6
    with transaction(db.engine) as session:
        last = session.execute(select(RateBudgetRow.next_slot_at)).scalar_one()
    assert last == pytest.approx(max(s.start for s in slots) + INTERVAL)


def test_keys_are_budgets_of_their_own(db: TestDatabase) -> None:
    first = reserve_slot(db.engine, "t.me", 60.0)
    other_host = reserve_slot(db.engine, "www.youtube.com", 60.0)
    other_proxy = reserve_slot(db.engine, budget_key("t.me", "http://u:secret@10.0.0.2:3128"), 60)
    again = reserve_slot(db.engine, "t.me", 60.0)
    assert first.wait == other_host.wait == other_proxy.wait == 0.0
    assert again.start == pytest.approx(first.start + 60.0)
    assert again.wait > 59.0
    with transaction(db.engine) as session:
        keys = set(session.execute(select(RateBudgetRow.key)).scalars())
    assert keys == {"t.me", "www.youtube.com", "t.me via http://10.0.0.2:3128"}  # no password


def test_hold_off_pushes_every_workers_next_slot(db: TestDatabase) -> None:
    reserve_slot(db.engine, "t.me", 1.0)
    hold_off(db.engine, "t.me", 300.0)
    hold_off(db.engine, "t.me", 5.0)  # a shorter hold never brings the slot forward
    assert reserve_slot(db.engine, "t.me", 1.0).wait > 299.0
    hold_off(db.engine, "example.org", 30.0)  # a key seen first in a Retry-After
    assert reserve_slot(db.engine, "example.org", 1.0).wait > 29.0


class _Traffic:
    """What the workers reserved and what the server saw: (worker, request) -> epoch time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.slots: dict[str, list[Slot]] = {}  # per budget key, in reservation order
        self.slot_of: dict[tuple[str, int], Slot] = {}
        self.arrivals: dict[str, dict[tuple[str, int], float]] = {}  # per server

    def budget(self, engine: Engine, worker: str) -> DatabaseRateBudget:
        taken = iter(range(1000))

        def note(key: str, slot: Slot) -> None:
            with self.lock:
                self.slots.setdefault(key, []).append(slot)
                self.slot_of[(worker, next(taken))] = slot

        return DatabaseRateBudget(engine, on_slot=note)

    def page(self, server: str) -> Callable[[dict[str, list[str]]], tuple[int, str, bytes]]:
        def answer(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
            with self.lock:
                seen = self.arrivals.setdefault(server, {})
                seen[(query["w"][0], int(query["n"][0]))] = time.time()
            return 200, "text/plain", b"ok"

        return answer

    def check(self, requests: int) -> None:
        """Slots of a key are an interval apart at least, and no request reached its server
        before its slot began (sending late is the machine's load, never early)."""
        for slots in self.slots.values():
            assert min(_gaps([s.start for s in slots])) >= INTERVAL - 1e-6
        seen = {k: t for arrivals in self.arrivals.values() for k, t in arrivals.items()}
        assert len(seen) == len(self.slot_of) == requests
        for request, at in seen.items():
            assert at >= self.slot_of[request].start - CLOCK_RESOLUTION, request


def test_clients_on_separate_engines_space_requests_as_one(db: TestDatabase) -> None:
    traffic = _Traffic()
    with LocalServer() as server:
        url = server.add_dynamic("/page", traffic.page("server"))

        def worker(index: int) -> None:
            engine = make_engine(db.url)  # each worker its own engine and connections
            budget = traffic.budget(engine, str(index))
            try:
                with PoliteClient(
                    user_agent="test", requests_per_second=1 / INTERVAL, budget=budget
                ) as client:
                    for n in range(3):
                        assert client.get(url, params={"w": str(index), "n": str(n)}).is_success
            finally:
                engine.dispose()

        _in_threads(WORKERS, worker)
    traffic.check(WORKERS * 3)
    assert list(traffic.slots) == [urlsplit(url).netloc]


def test_each_proxy_has_its_own_budget(db: TestDatabase) -> None:
    """Two egress proxies (local servers answering as proxies): each has its own budget."""
    traffic = _Traffic()
    with LocalServer() as proxy_a, LocalServer() as proxy_b:
        proxies = [proxy_a, proxy_b]
        for index, proxy in enumerate(proxies):
            proxy.add_dynamic("/page", traffic.page(str(index)))

        def worker(index: int) -> None:
            engine = make_engine(db.url)
            try:
                with PoliteClient(
                    user_agent="test",
                    requests_per_second=1 / INTERVAL,
                    budget=traffic.budget(engine, str(index)),
                    proxy=proxies[index % 2].base_url,
                ) as client:
                    for n in range(2):
                        params = {"w": str(index), "n": str(n)}
                        assert client.get("http://platform.test/page", params=params).is_success
            finally:
                engine.dispose()

        _in_threads(4, worker)
    traffic.check(8)
    assert set(traffic.slots) == {budget_key("platform.test", p.base_url) for p in proxies}
    assert {len(slots) for slots in traffic.slots.values()} == {4}


class _NoWait:
    """A clock whose sleeps return at once (the client's waits are not what is tested)."""

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass


def test_retry_after_holds_the_host_for_every_worker(
    db: TestDatabase, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/page").respond_with_data(
        "busy", status=429, headers={"Retry-After": "45"}
    )
    httpserver.expect_ordered_request("/page").respond_with_data("ok")
    url = httpserver.url_for("/page")
    retry = RetryPolicy(max_retries=1, backoff_seconds=0.01, max_backoff_seconds=120)
    budget = DatabaseRateBudget(db.engine)
    with PoliteClient(user_agent="test", budget=budget, retry=retry, clock=_NoWait()) as client:
        assert client.get(url).text == "ok"
    # Another worker asking for the host now is told to wait out the server's 45 s.
    assert reserve_slot(db.engine, urlsplit(url).netloc, 1.0).wait > 40.0


RESERVER = """
import json, sys
from storage.engine import make_engine
from storage.rate_budgets import reserve_slot
engine = make_engine(sys.argv[1])
starts = [reserve_slot(engine, "t.me", float(sys.argv[2])).start for _ in range(4)]
print(json.dumps(starts))
"""


def test_slots_hold_across_real_processes(db: TestDatabase) -> None:
    """Three real processes, started together, reserve slots of one host."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RESERVER, db.url, str(INTERVAL)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    starts: list[float] = []
    for process in processes:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        starts += json.loads(out)
    assert len(starts) == WORKERS * 4
    assert min(_gaps(starts)) >= INTERVAL - 1e-6
