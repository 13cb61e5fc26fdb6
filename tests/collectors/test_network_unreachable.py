"""DNS failures fail at once; refused connections end as NetworkUnreachable (by type)."""

from __future__ import annotations

import pytest

from collectors.errors import NetworkUnreachable, network_failure
from collectors.http import PoliteClient, RetryPolicy

# RFC 6761: names under .invalid never resolve.
UNRESOLVABLE = "http://polmon-test.invalid/channel"
REFUSED = "http://127.0.0.1:9/nothing-listens-here"


class RecordingClock:
    """Virtual time: sleeps are noted and advance the clock at once, nothing really waits."""

    def __init__(self, waits: list[float]) -> None:
        self.now, self.waits = 1000.0, waits

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _client(waits: list[float]) -> PoliteClient:
    retry = RetryPolicy(max_retries=3, backoff_seconds=0.01, max_backoff_seconds=0.02)
    return PoliteClient(
        user_agent="polmon-test/1",
        timeout_seconds=5.0,
        requests_per_second=1000.0,
        retry=retry,
        clock=RecordingClock(waits),
    )


def test_a_name_that_does_not_resolve_is_not_retried() -> None:
    waits: list[float] = []
    with _client(waits) as http, pytest.raises(NetworkUnreachable) as raised:
        http.get(UNRESOLVABLE)
    assert raised.value.dns and waits == []
    assert "cannot resolve polmon-test.invalid (DNS)" in str(raised.value)
    assert network_failure(raised.value) == "dns"  # the socket error stays in the chain


def test_a_refused_connection_is_retried_then_unreachable() -> None:
    waits: list[float] = []
    with _client(waits) as http, pytest.raises(NetworkUnreachable) as raised:
        http.get(REFUSED)
    assert not raised.value.dns and len(waits) == 3
    assert "connection failed" in str(raised.value)


def test_yt_dlp_network_failures_are_classified_by_type() -> None:
    from yt_dlp import YoutubeDL

    from collectors.video.ytdlp import fetch_page
    from collectors.video.ytdlp_errors import map_ytdlp_error

    with YoutubeDL({"quiet": True}) as ydl:
        for url, dns in ((UNRESOLVABLE, True), (REFUSED, False)):
            with pytest.raises(NetworkUnreachable) as raised:
                fetch_page(ydl, url, subject="tiktok @x")
            assert raised.value.dns is dns
            try:
                ydl.extract_info(url, download=False)
            except Exception as exc:
                mapped = map_ytdlp_error(exc, subject="youtube x", account=True)
                assert isinstance(mapped, NetworkUnreachable), (url, mapped)
            else:  # pragma: no cover - nothing listens there
                raise AssertionError(f"{url} answered")
