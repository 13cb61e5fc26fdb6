"""Keyword matching throughput (MB of UTF-8 text per second) for both engines and many terms."""

from __future__ import annotations

import argparse
import random
import time

from monitor.config import KeywordGroupConfig
from monitor.keywords.engines import EngineName
from monitor.keywords.matcher import KeywordMatcher
from monitor.keywords.normalize import normalize

KHMER_SYLLABLES = ["ក", "ខ", "គ", "ចា", "ប់", "ខ្លួ", "ន", "ជា", "តិ", "ស", "ម", "រ", "ង្ស៊ី", "ហ៊ុ", "ន"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size * 2)
    }
    return sorted(words)[:size]


def _khmer_word(rng: random.Random, syllables: tuple[int, int] = (2, 4)) -> str:
    return "".join(rng.choice(KHMER_SYLLABLES) for _ in range(rng.randint(*syllables)))


def corpus(rng: random.Random, vocabulary: list[str], posts: int) -> list[str]:
    """Posts of ~60 words, a third with a Khmer sentence (zero-width spaces in half of those).

    Words are drawn uniformly from a 100,000-word vocabulary, so 10,000 terms hit about one word
    in ten: far more hits than real monitoring text, which makes this a pessimistic measure.
    """
    texts = []
    for index in range(posts):
        words = [rng.choice(vocabulary) for _ in range(60)]
        text = " ".join(words).capitalize() + "."
        if index % 3 == 0:
            joiner = "\u200b" if index % 2 else ""
            text += " " + joiner.join(_khmer_word(rng) for _ in range(25)) + "។"
        texts.append(text)
    return texts


def terms(rng: random.Random, vocabulary: list[str], count: int) -> list[str]:
    """60% single words, 20% two-word phrases, 20% Khmer terms of 4-6 syllables."""
    chosen: set[str] = set()
    while len(chosen) < count:
        kind = rng.random()
        if kind < 0.6:
            chosen.add(rng.choice(vocabulary))
        elif kind < 0.8:
            chosen.add(f"{rng.choice(vocabulary)} {rng.choice(vocabulary)}")
        else:
            chosen.add(_khmer_word(rng, (4, 6)))  # names and phrases: longer than the average word
    return sorted(chosen)


def run(texts: list[str], term_list: list[str], engine: EngineName) -> tuple[float, float, int]:
    groups = {"bench": KeywordGroupConfig(terms=term_list)}
    started = time.perf_counter()
    matcher = KeywordMatcher.for_source(groups, "posts", engine)
    build = time.perf_counter() - started
    started = time.perf_counter()
    hits = sum(len(matcher.match(text)) for text in texts)
    return build, time.perf_counter() - started, hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(7)
    vocabulary = _vocabulary(rng, 100_000)
    texts = corpus(rng, vocabulary, args.posts)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{args.posts:,} posts, {megabytes:.1f} MB of UTF-8 text")
    started = time.perf_counter()
    for text in texts:
        normalize(text)
    print(f"normalisation alone: {megabytes / (time.perf_counter() - started):.1f} MB/s")
    for count in (10, 1_000, 10_000):
        term_list = terms(rng, vocabulary, count)
        engines: tuple[EngineName, ...] = ("aho-corasick", "regex")
        for engine in engines:
            build, seconds, hits = run(texts, term_list, engine)
            print(
                f"{count:>6} terms  {engine:<12}  build {build * 1000:7.1f} ms  "
                f"{megabytes / seconds:6.2f} MB/s  ({hits:,} hits)"
            )


if __name__ == "__main__":
    main()
