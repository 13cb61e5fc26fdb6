"""Loaded models, one per (backend, model, device, compute type) per process, reused."""

from __future__ import annotations

import threading
from collections.abc import Callable

from monitor.transcription.base import Backend
from monitor.transcription.errors import ModelLoadError
from monitor.transcription.settings import ModelSpec

_loaded: dict[tuple[str, str, str, str], Backend] = {}
_lock = threading.Lock()


def _faster(spec: ModelSpec) -> Backend:
    from monitor.transcription.faster import FasterWhisperBackend

    return FasterWhisperBackend(spec)


def _openai(spec: ModelSpec) -> Backend:
    from monitor.transcription.openai_backend import OpenAIWhisperBackend

    return OpenAIWhisperBackend(spec)


BACKENDS: dict[str, Callable[[ModelSpec], Backend]] = {
    "faster-whisper": _faster,
    "openai-whisper": _openai,
}


def load_backend(spec: ModelSpec) -> Backend:
    """The loaded model for `spec`, loading it on first use in this process."""
    with _lock:
        backend = _loaded.get(spec.cache_key)
        if backend is None:
            if spec.backend not in BACKENDS:
                raise ModelLoadError(f"unknown transcription backend {spec.backend!r}")
            if spec.cache_dir is not None:
                spec.cache_dir.mkdir(parents=True, exist_ok=True)
            backend = BACKENDS[spec.backend](spec)
            _loaded[spec.cache_key] = backend
        return backend


def loaded_models() -> list[tuple[str, str, str, str]]:
    """Cache keys of the models this process holds, in load order."""
    with _lock:
        return list(_loaded)


def unload_models() -> None:
    with _lock:
        _loaded.clear()
