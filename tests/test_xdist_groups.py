"""The suite's own set-up: tests marked `xdist_group` really share one pytest-xdist worker."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.xdist_group("suite-self-check")


def test_a_grouped_test_carries_its_group_under_loadgroup(request: pytest.FixtureRequest) -> None:
    """pytest-xdist sends a group to one worker by the `@<group>` it appends to each grouped test's
    id; pytest 9.2 moved where a node keeps its id and pytest-xdist 3.8's suffix silently stopped
    applying, so every module-scoped fixture of a group (a browser, the demo's database) was
    built again on each worker. This fails if that happens again."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        pytest.skip("runs under pytest-xdist only (make test runs it there)")
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under --dist loadgroup only (make test runs it there)")
    assert request.node.nodeid.endswith("@suite-self-check")
