"""Decoding settings and model identities taken from [transcription] and [keywords]."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import PolmonConfig
from monitor.transcription.result import HallucinationRules


@dataclass(frozen=True)
class DecodeSettings:
    """How every file is decoded, whatever model the language routes it to."""

    beam_size: int = 5
    vad_filter: bool = True
    condition_on_previous_text: bool = False
    word_timestamps: bool = False
    keyword_verify: bool = False  # score terms the 1-best missed (faster-whisper only)
    keyword_verify_min_llr: float = 18.0
    batched: bool | None = None  # None: on CUDA only (faster-whisper)
    batch_size: int = 8
    rules: HallucinationRules = field(default_factory=HallucinationRules)

    @classmethod
    def from_config(cls, config: PolmonConfig) -> DecodeSettings:
        t = config.transcription
        return cls(
            beam_size=t.beam_size,
            vad_filter=t.vad_filter,
            condition_on_previous_text=t.condition_on_previous_text,
            word_timestamps=t.word_timestamps,
            keyword_verify=t.keyword_verify,
            keyword_verify_min_llr=t.keyword_verify_min_llr,
            batched=None if t.batched == "auto" else bool(t.batched),
            batch_size=t.batch_size,
            rules=HallucinationRules(
                no_speech_threshold=t.no_speech_threshold,
                logprob_threshold=t.logprob_threshold,
                compression_ratio_threshold=t.compression_ratio_threshold,
            ),
        )


@dataclass(frozen=True)
class ModelSpec:
    """Which model to load and how; also the key of the per-process model cache."""

    backend: str
    model: str  # a name to download, or a local path (resolved against the config file)
    device: str = "auto"
    compute_type: str = "auto"
    threads: int = 0
    cache_dir: Path | None = None

    @property
    def cache_key(self) -> tuple[str, str, str, str]:
        return (self.backend, self.model, self.device, self.compute_type)


def model_reference(config: PolmonConfig, model: str) -> str:
    """A local path when `model` names an existing file or folder, else the name as given."""
    path = config.resolve(Path(model))
    return str(path) if path.exists() else model


def model_spec(config: PolmonConfig, model: str | None = None) -> ModelSpec:
    t = config.transcription
    return ModelSpec(
        backend=t.backend,
        model=model_reference(config, model or t.model),
        device=t.device,
        compute_type=t.compute_type,
        threads=t.threads,
        cache_dir=config.model_cache_dir,
    )


def prompt_terms(config: PolmonConfig) -> tuple[str, ...]:
    """Keyword terms to pass as hotwords / initial prompt, in config order, without repeats.

    Off when [transcription] hotwords = false. Groups: those named in hotword_groups, else every
    group with hotwords = true; regex groups never (a pattern is not a word to hear), nor groups
    that only search posts.
    """
    t = config.transcription
    if not t.hotwords:
        return ()
    chosen = set(t.hotword_groups)
    terms: dict[str, str] = {}
    for name, group in config.keywords.items():
        if group.regex or group.search_in == "posts":
            continue
        if (name not in chosen) if chosen else (not group.hotwords):
            continue
        for term in group.terms:
            terms.setdefault(term.casefold(), term.strip())
    return tuple(term for term in terms.values() if term)
