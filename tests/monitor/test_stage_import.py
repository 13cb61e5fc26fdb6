"""A job whose stage is missing from this installation fails as one expected TaskUnavailable."""

from __future__ import annotations

import pytest

from monitor.tasks import TaskUnavailable, stage_import


def test_a_missing_stage_is_task_unavailable() -> None:
    expected = pytest.raises(TaskUnavailable, match="the whisper stage is not available")
    with expected as caught, stage_import("whisper"):
        import monitor.no_such_stage  # type: ignore[import-not-found]  # noqa: F401
    assert caught.value.expected


def test_other_errors_pass_through() -> None:
    with pytest.raises(ZeroDivisionError), stage_import("collect"):
        1 / 0  # noqa: B018
