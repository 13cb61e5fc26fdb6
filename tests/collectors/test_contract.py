"""The contract every registered collector passes: interface, registry, and what it yields.

Platforms whose module is not in this checkout are skipped, unless
POLMON_REQUIRE_ALL_COLLECTORS=1 (set once every platform is merged): then they fail. The
behaviour checks drive each collector through `tests/support/contract/<platform>.py`.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from collectors.base import Collector
from collectors.records import (
    MEDIA_KINDS,
    PLATFORMS,
    POST_KINDS,
    AccountProfile,
    MediaItem,
    PostRecord,
)
from collectors.registry import _COLLECTORS, collector_class, registered_platforms
from tests.support.contract.case import ContractCase

REQUIRE_ALL = os.environ.get("POLMON_REQUIRE_ALL_COLLECTORS") == "1"


def _absent(platform: str, what: str) -> None:
    message = f"{platform}: {what}"
    if REQUIRE_ALL:
        pytest.fail(message + " (POLMON_REQUIRE_ALL_COLLECTORS=1)", pytrace=False)
    pytest.skip(message)


def load(platform: str) -> type[Collector]:
    """The platform's collector class; skip (or fail) only when its own module is missing."""
    module_name = _COLLECTORS[platform].partition(":")[0]
    try:
        return collector_class(platform)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but a dependency of it is missing: a real failure
        _absent(platform, f"collector module {module_name} is not in this checkout")
        raise


def test_registry_covers_every_platform() -> None:
    assert set(registered_platforms()) == set(PLATFORMS)


@pytest.mark.parametrize("platform", registered_platforms())
def test_collector_class_honours_the_interface(platform: str) -> None:
    cls = load(platform)
    assert issubclass(cls, Collector)
    assert not inspect.isabstract(cls), f"{cls.__name__} leaves abstract methods"
    assert cls.platform == platform
    for name in ("fetch_profile", "list_posts", "close", "__init__"):
        expected = list(inspect.signature(getattr(Collector, name)).parameters)
        actual = list(inspect.signature(getattr(cls, name)).parameters)
        assert actual[: len(expected)] == expected, f"{cls.__name__}.{name}{actual}"
        extra = inspect.signature(getattr(cls, name)).parameters
        for parameter in actual[len(expected) :]:
            assert extra[parameter].default is not inspect.Parameter.empty, (
                f"{cls.__name__}.{name}: extra parameter {parameter} needs a default"
            )


@contextmanager
def contract_case(platform: str, tmp_path: Path, httpserver: HTTPServer) -> Iterator[ContractCase]:
    """The platform's collector wired to its local stand-in (see tests/support/contract/case.py)."""
    load(platform)
    try:
        driver = importlib.import_module(f"tests.support.contract.{platform}")
    except ModuleNotFoundError:
        _absent(platform, f"no contract driver tests/support/contract/{platform}.py")
        raise
    case: ContractCase = driver.start(tmp_path, httpserver)
    with case.collector:
        yield case


@pytest.mark.parametrize("platform", registered_platforms())
def test_profile_is_an_account_profile(
    platform: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    with contract_case(platform, tmp_path, httpserver) as case:
        profile = case.collector.fetch_profile(case.account)
    assert isinstance(profile, AccountProfile)
    for count in (profile.followers, profile.following, profile.likes, profile.posts_count):
        assert count is None or (isinstance(count, int) and count >= 0)


@pytest.mark.parametrize("platform", registered_platforms())
def test_listing_yields_post_records_newest_first_in_utc(
    platform: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    with contract_case(platform, tmp_path, httpserver) as case:
        listing = case.collector.list_posts(case.account, case.since, 10_000)
        assert isinstance(listing, Iterator), "list_posts must be lazy (an iterator)"
        records = list(listing)
    assert len(records) >= case.expected_posts
    assert all(isinstance(r, PostRecord) for r in records)
    ids = [r.platform_post_id for r in records]
    assert len(set(ids)) == len(ids), "a post was yielded twice"
    times = [r.published_at for r in records]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times, reverse=True), "posts must come newest first"
    assert all(t >= case.since for t in times)
    for record in records:
        assert record.kind in POST_KINDS
        assert record.edited_at is None or record.edited_at.utcoffset() == timedelta(0)
        for item in record.media:
            assert isinstance(item, MediaItem) and item.kind in MEDIA_KINDS
        positions = [item.position for item in record.media]
        assert len(set(positions)) == len(positions)


@pytest.mark.parametrize("platform", registered_platforms())
def test_listing_honours_limit_and_since(
    platform: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    with contract_case(platform, tmp_path, httpserver) as case:
        assert len(list(case.collector.list_posts(case.account, case.since, 1))) == 1
        everything = list(case.collector.list_posts(case.account, case.since, 10_000))
        middle = everything[len(everything) // 2].published_at
        recent = list(case.collector.list_posts(case.account, middle, 10_000))
    assert recent and all(r.published_at >= middle for r in recent)
    assert len(recent) < len(everything)
