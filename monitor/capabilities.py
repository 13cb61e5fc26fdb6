"""Worker capabilities: what a transcription needs (a routed language's model, a GPU), and
which queued rows a worker with given capabilities may claim.

A transcription's needs come from `[transcription]`: `needs` (every file), plus, for media
in a language that has a model of its own in `language_models`, that language's code (a
worker says `--capability km` once it can load the Khmer model), plus that language's
`language_needs` (e.g. `km = ["gpu"]`). A row's language is its post's as the platform gave
it until a worker detects the spoken language and finds it lacks that language's needs: it
hands the row back un-transcribed with `media.detected_language` set, and the row's needs
are that language's from then on. A worker given no capabilities takes every row, as
`polmon worker` always did, and routes each to its model itself.
"""

from __future__ import annotations

import re

from collectors.errors import UserError
from monitor.config_sections import TranscriptionConfig

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}$")
ANY = "any worker"  # the needs label of rows every worker may take


class CapabilityError(UserError):
    """A `--capability` list that names nothing usable, or misses what every file needs."""


def parse_capabilities(text: str | None) -> frozenset[str] | None:
    """`gpu,km` -> {"gpu", "km"}; None (not given) stays None: every row."""
    if text is None:
        return None
    names = {part.strip().lower() for part in text.split(",") if part.strip()}
    if not names:
        raise CapabilityError("--capability: give names separated by commas, e.g. gpu,km")
    for name in sorted(names):
        if not _NAME.match(name):
            raise CapabilityError(f"--capability: {name!r} is not a capability name")
    return frozenset(names)


def base_needs(t: TranscriptionConfig) -> frozenset[str]:
    return frozenset(name.lower() for name in t.needs)


def language_needs(t: TranscriptionConfig) -> dict[str, frozenset[str]]:
    """The needs of each post language that needs more than `base_needs`."""
    routed = {language.lower() for language in t.language_models}
    extra = {language.lower(): names for language, names in t.language_needs.items()}
    return {
        language: base_needs(t)
        | ({language} if language in routed else frozenset())
        | {name.lower() for name in extra.get(language, [])}
        for language in sorted(routed | set(extra))
    }


def needs_of(t: TranscriptionConfig, language: str | None) -> frozenset[str]:
    """What the media of a post in `language` needs (None: the platform gave no language)."""
    return language_needs(t).get((language or "").lower(), base_needs(t))


def needs_label(needs: frozenset[str]) -> str:
    return ",".join(sorted(needs)) or ANY


def excluded_languages(
    t: TranscriptionConfig, capabilities: frozenset[str] | None
) -> frozenset[str]:
    """The languages whose media a worker with `capabilities` must not claim (nor transcribe,
    once detected); raises CapabilityError when it lacks what every file needs (it could
    claim nothing)."""
    if capabilities is None:
        return frozenset()
    missing = base_needs(t) - capabilities
    if missing:
        raise CapabilityError(
            f"every transcription needs {needs_label(missing)} ([transcription] needs); "
            "this worker has " + (needs_label(capabilities) if capabilities else "none")
        )
    if t.language and not (needs := needs_of(t, t.language)) <= capabilities:
        raise CapabilityError(
            f"every transcription is in {t.language} ([transcription] language) and needs "
            f"{needs_label(needs)}; this worker has "
            + (needs_label(capabilities) if capabilities else "none")
        )
    return frozenset(
        language for language, needs in language_needs(t).items() if not needs <= capabilities
    )
