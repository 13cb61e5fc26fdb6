"""Parse time per t.me page: the recorded reference pages through parse_channel_page.

Run: `python -m bench.telegram_parse [--rounds 50]`. Prints one line per page (size,
posts, median milliseconds per page and per post) and the totals, in Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from collectors.telegram.web import parse_channel_page

REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "telegram-web"


def time_page(html: str, rounds: int) -> tuple[int, float]:
    """Posts on the page and the median seconds to parse it."""
    posts = len(parse_channel_page(html).posts)
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        parse_channel_page(html)
        timings.append(time.perf_counter() - started)
    return posts, statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--pages", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    files = sorted(args.pages.glob("*.html"))
    if not files:
        print(f"no pages in {args.pages}", file=sys.stderr)
        return 1
    print("| page | KiB | posts | ms/page | ms/post |")
    print("|---|---:|---:|---:|---:|")
    total_posts, total_seconds = 0, 0.0
    for path in files:
        html = path.read_text(encoding="utf-8")
        posts, seconds = time_page(html, args.rounds)
        total_posts += posts
        total_seconds += seconds
        print(
            f"| {path.stem} | {len(html.encode()) / 1024:.0f} | {posts} | {seconds * 1000:.2f} "
            f"| {seconds * 1000 / max(posts, 1):.3f} |"
        )
    print(
        f"| all {len(files)} pages | | {total_posts} | {total_seconds * 1000 / len(files):.2f} "
        f"(mean) | {total_seconds * 1000 / total_posts:.3f} |"
    )
    rate = total_posts / total_seconds
    print(f"\n{rate:,.0f} posts/s parsed on one core; {args.rounds} rounds, medians")
    return 0


if __name__ == "__main__":
    sys.exit(main())
