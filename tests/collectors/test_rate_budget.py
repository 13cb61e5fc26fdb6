"""The collectors' side of rate budgets: keys per host and proxy, the in-process budget, and a
client taking its slots from the budget it is given (a real server on 127.0.0.1)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer

from collectors.http import (
    Egress,
    HostRateLimiter,
    PoliteClient,
    RetryPolicy,
    budget_key,
    current_egress,
    use_egress,
)
from tests.collectors.test_http import RecordingClock  # virtual time: sleeps are noted


def test_budget_keys_name_the_egress_without_credentials() -> None:
    assert budget_key("t.me") == budget_key("t.me", None) == budget_key("t.me", "") == "t.me"
    assert budget_key("t.me", "socks5://user:pw@10.0.0.9:1080") == "t.me via socks5://10.0.0.9:1080"
    assert budget_key("t.me", "http://proxy.example") == "t.me via http://proxy.example"


def test_the_process_budget_spaces_slots_and_honours_a_hold() -> None:
    clock = RecordingClock()
    limiter = HostRateLimiter(clock=clock)
    assert limiter.reserve("t.me", 2.0) == 0.0
    assert limiter.reserve("t.me", 2.0) == 2.0
    assert limiter.reserve("t.me via http://10.0.0.2:3128", 2.0) == 0.0  # its own budget
    limiter.hold_off("t.me", 30.0)
    assert limiter.reserve("t.me", 2.0) == 30.0
    limiter.hold_off("t.me", 1.0)  # a shorter hold never brings a slot forward
    assert limiter.reserve("t.me", 2.0) == 32.0


def test_a_client_takes_its_slots_from_the_budget_given(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/page").respond_with_data("ok")
    clock = RecordingClock()
    budget = HostRateLimiter(clock=clock)
    with PoliteClient(user_agent="t", budget=budget, clock=clock, requests_per_second=0.5) as c:
        for _ in range(3):
            assert c.get(httpserver.url_for("/page")).text == "ok"
    assert clock.waits == [2.0, 2.0]
    host = urlsplit(httpserver.url_for("/")).netloc
    assert budget.reserve(host, 2.0) == 2.0  # the slots were the host's


def test_the_process_egress_is_the_default_of_system_clock_clients() -> None:
    budget = HostRateLimiter()
    previous = use_egress(Egress(proxy="http://127.0.0.1:9", budget=budget))
    try:
        client = PoliteClient(user_agent="t", retry=RetryPolicy(max_retries=0))
        assert (client.proxy, client.budget) == ("http://127.0.0.1:9", budget)
        on_own_clock = PoliteClient(user_agent="t", clock=RecordingClock())
        assert on_own_clock.budget is not budget  # a test's clock keeps its own limiter
        client.close()
        on_own_clock.close()
    finally:
        use_egress(previous)
    assert current_egress() == previous
