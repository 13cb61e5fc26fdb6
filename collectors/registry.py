"""The platforms polmon knows: each one's spec, and its collector imported lazily on first use.

Adding a platform: a package under `collectors/` whose spec (`PlatformSpec`) and collector
class are listed here once; everything else (config validation, `--platform` choices,
account keys, links, the pass's listing limits) is derived from this list.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collectors.platform import PlatformSpec
from collectors.telegram.identity import TELEGRAM
from collectors.video.identity import FACEBOOK, TIKTOK, YOUTUBE

if TYPE_CHECKING:
    from collectors.base import Collector

SPECS: dict[str, PlatformSpec] = {spec.name: spec for spec in (TELEGRAM, TIKTOK, FACEBOOK, YOUTUBE)}
# platform -> "module:Class"; a platform's module is imported on first use.
_COLLECTORS: dict[str, str] = {name: spec.collector for name, spec in SPECS.items()}


def platform_spec(platform: str) -> PlatformSpec:
    """The spec of `platform`, or KeyError naming the known ones."""
    try:
        return SPECS[platform]
    except KeyError:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(SPECS)}") from None


def collector_class(platform: str) -> type[Collector]:
    """Return the collector class for `platform`, or raise KeyError for an unknown one."""
    module_name, _, class_name = platform_spec(platform).collector.partition(":")
    module = importlib.import_module(module_name)
    cls: type[Collector] = getattr(module, class_name)
    return cls


def registered_platforms() -> tuple[str, ...]:
    return tuple(SPECS)
