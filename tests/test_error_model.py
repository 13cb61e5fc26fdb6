"""One error model: every exception polmon defines is a `PolmonError`, and only the base
declares `expected`, `permanent` and `exit_code`.

Classes deriving from `BaseException` alone are control flow that must pass every
`except Exception` (a stop request unwinding a download); they are not errors and stay out.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from collectors.errors import PolmonError, UserError

PACKAGES = ("collectors", "storage", "monitor")
ATTRIBUTES = ("expected", "permanent", "exit_code")


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [
            info.name
            for info in pkgutil.walk_packages(path, f"{package}.")
            if not info.name.endswith(".__main__")  # runs the CLI when imported
        ]
    return names


def _exception_classes() -> list[type[Exception]]:
    found: list[type[Exception]] = []
    for name in _module_names():
        module = importlib.import_module(name)
        found += [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and value.__module__ == name and issubclass(value, Exception)
        ]
    return found


EXCEPTIONS = _exception_classes()


def test_the_walk_finds_the_project_errors() -> None:
    """The parametrised test below sees the errors of all three packages."""
    names = {f"{cls.__module__}.{cls.__name__}" for cls in EXCEPTIONS}
    assert {
        "collectors.errors.CollectorError",
        "storage.engine.DatabaseError",
        "monitor.config_errors.ConfigError",
        "monitor.transcription.errors.TranscriptionError",
        "monitor.digest.run.DigestError",
    } <= names
    assert len(EXCEPTIONS) >= 30


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_exception_is_a_polmon_error(cls: type[Exception]) -> None:
    assert issubclass(cls, PolmonError), f"{cls.__module__}.{cls.__name__} is no PolmonError"
    if cls is not PolmonError:
        declared = set(vars(cls).get("__annotations__", {})) & set(ATTRIBUTES)
        assert not declared, f"{cls.__name__} declares {declared} again: set a value instead"
    assert isinstance(cls.expected, bool) and isinstance(cls.permanent, bool)
    assert isinstance(cls.exit_code, int) and cls.exit_code != 0


def test_instances_may_override_expected_and_permanent() -> None:
    error = PolmonError("a", expected=True, permanent=True)
    assert (error.expected, error.permanent, str(error)) == (True, True, "a")
    assert PolmonError.expected is False and PolmonError.permanent is False
    assert (UserError.expected, UserError.exit_code) == (True, 2)


def test_errors_keep_their_standard_bases_for_callers_that_catch_them() -> None:
    from collectors.platform import InvalidAccount
    from monitor.queries.posts import PostNotFound
    from monitor.queries.search.query import QueryError

    assert issubclass(InvalidAccount, ValueError) and issubclass(QueryError, ValueError)
    assert issubclass(PostNotFound, LookupError)
