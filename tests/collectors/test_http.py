"""The polite HTTP client against a real local server: retries, Retry-After, timeouts, 404."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.clock import STOP, SYSTEM_CLOCK
from collectors.errors import FetchError, Interrupted, RateLimited
from collectors.http import PoliteClient, RetryPolicy, parse_retry_after

FAST = RetryPolicy(max_retries=3, backoff_seconds=0.01, max_backoff_seconds=0.05)


class RecordingClock:
    """Virtual time: sleeps are noted and advance the clock at once, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def client(**overrides: object) -> PoliteClient:
    options: dict[str, object] = {
        "user_agent": "polmon-test/1",
        "timeout_seconds": 2.0,
        "requests_per_second": 1000.0,
        "retry": FAST,
        "clock": RecordingClock(),
    }
    options.update(overrides)
    return PoliteClient(**options)  # type: ignore[arg-type]


def test_429_with_retry_after_then_success(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/page").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "0"}
    )
    httpserver.expect_ordered_request("/page").respond_with_data("ok")
    with client() as http:
        response = http.get(httpserver.url_for("/page"))
    assert response.status_code == 200
    assert response.text == "ok"
    assert len(httpserver.log) == 2


def test_retry_after_is_waited_for(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/page").respond_with_data(
        "", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/page").respond_with_data("ok")
    retry = RetryPolicy(max_retries=2, backoff_seconds=0.01, max_backoff_seconds=5)
    clock = RecordingClock()
    with client(retry=retry, clock=clock) as http:
        assert http.get(httpserver.url_for("/page")).text == "ok"
    assert clock.waits == [1.0]


def test_retry_after_as_an_http_date(httpserver: HTTPServer) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    httpserver.expect_ordered_request("/page").respond_with_data(
        "", status=503, headers={"Retry-After": soon}
    )
    httpserver.expect_ordered_request("/page").respond_with_data("ok")
    retry = RetryPolicy(max_retries=2, backoff_seconds=30, max_backoff_seconds=5)
    clock = RecordingClock()
    with client(retry=retry, clock=clock) as http:
        assert http.get(httpserver.url_for("/page")).text == "ok"
    # the date (4 s away, to the second), not the 15-30 s backoff
    assert len(clock.waits) == 1 and 2 <= clock.waits[0] <= 4.0


def test_retry_after_beyond_max_backoff_raises_rate_limited(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with client() as http, pytest.raises(RateLimited) as caught:
        http.get(httpserver.url_for("/page"))
    assert caught.value.retry_after == 3600
    assert "3600s" in str(caught.value) and "\n" not in str(caught.value)
    assert len(httpserver.log) == 1


def test_429_forever_raises_rate_limited(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("", status=429)
    with client() as http, pytest.raises(RateLimited, match="HTTP 429 after 4 tries"):
        http.get(httpserver.url_for("/page"))
    assert len(httpserver.log) == 4


def test_500s_then_success(httpserver: HTTPServer) -> None:
    for _ in range(2):
        httpserver.expect_ordered_request("/page").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/page").respond_with_data("fine")
    with client() as http:
        assert http.get(httpserver.url_for("/page")).text == "fine"
    assert len(httpserver.log) == 3


def test_500_forever_fails_after_max_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("boom", status=503)
    with client() as http, pytest.raises(FetchError) as caught:
        http.get(httpserver.url_for("/page"))
    assert not isinstance(caught.value, RateLimited)
    assert "HTTP 503 after 4 tries" in str(caught.value)
    assert caught.value.expected
    assert len(httpserver.log) == 4


def test_404_is_returned_without_retry(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    with client() as http:
        assert http.get(httpserver.url_for("/gone")).status_code == 404
    assert len(httpserver.log) == 1


def test_stalled_server_times_out(httpserver: HTTPServer) -> None:
    def stall(request: Request) -> Response:
        time.sleep(0.6)
        return Response("late")

    httpserver.expect_request("/stall").respond_with_handler(stall)
    retry = RetryPolicy(max_retries=1, backoff_seconds=0.01, max_backoff_seconds=0.02)
    with client(timeout_seconds=0.2, retry=retry) as http, pytest.raises(FetchError) as caught:
        http.get(httpserver.url_for("/stall"))
    assert "timed out after 0.2s after 2 tries" in str(caught.value)
    # The server answers both stalled requests after the client gave up: wait for that, so
    # they land in this test's log, not in the next test's (the server is the session's).
    deadline = time.monotonic() + 10
    while len(httpserver.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_connection_refused_is_a_fetch_error() -> None:
    retry = RetryPolicy(max_retries=1, backoff_seconds=0.01, max_backoff_seconds=0.02)
    with client(retry=retry) as http, pytest.raises(FetchError, match="connection failed"):
        http.get("http://127.0.0.1:9/nothing-listens-here")


def test_user_agent_and_params_are_sent(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/s/chan", query_string="before=42", headers={"User-Agent": "polmon-test/1"}
    ).respond_with_data("ok")
    with client() as http:
        assert http.get(httpserver.url_for("/s/chan"), params={"before": "42"}).text == "ok"


def test_rate_limit_spaces_requests_to_one_host(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("ok")
    clock = RecordingClock()
    with client(requests_per_second=5.0, clock=clock) as http:
        for _ in range(4):
            http.get(httpserver.url_for("/page"))
        http.get(httpserver.url_for("/page").replace("localhost", "127.0.0.1"))
    # four requests at 5/s: the last three each wait for their 0.2 s slot; another host
    # (127.0.0.1 rather than localhost) has its own slots and does not wait
    assert clock.waits == pytest.approx([0.2, 0.2, 0.2])
    clock.now += 10  # time passes: the next request has a free slot
    with client(requests_per_second=5.0, clock=clock) as http:
        http.get(httpserver.url_for("/page"))
    assert len(clock.waits) == 3


def test_clients_of_one_process_share_each_hosts_slots(httpserver: HTTPServer) -> None:
    """Two clients (two passes collecting different accounts at once) on one clock: their
    requests to one host take turns in one sequence of slots, not two."""
    httpserver.expect_request("/page").respond_with_data("ok")
    clock = RecordingClock()
    one, two = (client(requests_per_second=5.0, clock=clock) for _ in range(2))
    with one, two:
        for http in (one, two, one, two):
            http.get(httpserver.url_for("/page"))
    assert clock.waits == pytest.approx([0.2, 0.2, 0.2])
    other = RecordingClock()  # another clock (another test's virtual time): its own slots
    with client(requests_per_second=5.0, clock=other) as three:
        three.get(httpserver.url_for("/page"))
    assert other.waits == []


def test_a_stop_request_ends_the_retry_wait(httpserver: HTTPServer) -> None:
    """The real clock: a retry backoff of a minute ends as soon as a stop is requested."""
    httpserver.expect_request("/page").respond_with_data("busy", status=503)
    retry = RetryPolicy(max_retries=3, backoff_seconds=60, max_backoff_seconds=120)
    done = threading.Event()

    def stop_after_first_answer() -> None:
        while not httpserver.log:
            if done.wait(0.01):
                return
        STOP.set()

    stopper = threading.Thread(target=stop_after_first_answer, daemon=True)
    stopper.start()
    try:
        with client(retry=retry, clock=SYSTEM_CLOCK) as http, pytest.raises(Interrupted) as caught:
            http.get(httpserver.url_for("/page"))
    finally:
        done.set()
        stopper.join()
        STOP.clear()
    assert len(httpserver.log) == 1  # no retry after the stop
    assert str(caught.value).startswith(f"GET {httpserver.url_for('/page')}: stop requested")
    assert caught.value.expected


def test_parse_retry_after_forms() -> None:
    now = datetime(2026, 5, 5, 12, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_and_is_bounded() -> None:
    policy = RetryPolicy(max_retries=10, backoff_seconds=1.0, max_backoff_seconds=8.0)
    for retry in range(10):
        ceiling = min(8.0, 2.0**retry)
        assert ceiling / 2 <= policy.delay(retry) <= ceiling
