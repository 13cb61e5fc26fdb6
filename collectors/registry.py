"""Collectors by platform, imported lazily so a platform's libraries load only when used."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from collectors.records import PLATFORMS

if TYPE_CHECKING:
    from collectors.base import Collector

# platform -> "module:Class"; a platform's module is imported on first use.
_COLLECTORS: dict[str, str] = {
    "telegram": "collectors.telegram.collector:TelegramCollector",
    "tiktok": "collectors.video.tiktok:TikTokCollector",
    "facebook": "collectors.video.facebook:FacebookCollector",
    "youtube": "collectors.video.youtube:YouTubeCollector",
}


def collector_class(platform: str) -> type[Collector]:
    """Return the collector class for `platform`, or raise KeyError for an unknown one."""
    if platform not in PLATFORMS:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
    module_name, _, class_name = _COLLECTORS[platform].partition(":")
    module = importlib.import_module(module_name)
    cls: type[Collector] = getattr(module, class_name)
    return cls


def registered_platforms() -> tuple[str, ...]:
    return tuple(_COLLECTORS)
