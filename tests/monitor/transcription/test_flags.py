"""The likely-hallucination rules on segments (pure: no model)."""

from __future__ import annotations

from monitor.transcription.result import HallucinationRules, Segment

RULES = HallucinationRules(
    no_speech_threshold=0.6, logprob_threshold=-1.0, compression_ratio_threshold=2.4
)


def _segment(
    text: str,
    *,
    start: float = 0.0,
    end: float = 2.0,
    avg_logprob: float = -0.3,
    no_speech_prob: float = 0.05,
    compression_ratio: float = 1.2,
) -> Segment:
    return Segment(start, end, text, avg_logprob, no_speech_prob, compression_ratio)


def test_real_speech_is_not_flagged() -> None:
    assert RULES.reasons(_segment("The minister spoke about the budget."), 10.0) == ()
    # A confident segment in a window the model rated silent is kept unflagged, as Whisper does.
    assert RULES.reasons(_segment("Vote today.", no_speech_prob=0.9, avg_logprob=-0.2), 10) == ()


def test_each_rule() -> None:
    assert RULES.reasons(_segment("You", no_speech_prob=0.95, avg_logprob=-0.92), 6) == (
        "no_speech",
    )
    assert RULES.reasons(_segment("Thanks.", compression_ratio=3.1), 6) == ("repetition",)
    loop = "Thank you. Thank you. Thank you. Thank you. Thank you."
    assert RULES.reasons(_segment(loop), 60) == ("repetition",)
    assert RULES.reasons(_segment("Thank you. Thank you."), 60) == ()  # said twice is speech
    assert RULES.reasons(_segment("ចាប់ខ្លួនចាប់ខ្លួនចាប់ខ្លួនចាប់ខ្លួនចាប់ខ្លួន"), 9) == ("repetition",)
    assert RULES.reasons(_segment(" . ."), 9) == ("no_words",)
    assert RULES.reasons(_segment("more words", start=6.0, end=9.0), 6.0) == ("past_end",)


def test_low_confidence_is_not_hallucination() -> None:
    # Speech heard through noise: the model is unsure of the words, not making them up.
    heard = _segment("candlelight party", avg_logprob=-1.13, no_speech_prob=0.3)
    assert RULES.reasons(heard, 6) == ()
    assert heard.confidence is not None and 0.3 < heard.confidence < 0.35
    assert _segment("sure", avg_logprob=0.0).confidence == 1.0
    assert Segment(0, 1, "x").confidence is None
    # Unsure words over a window the model rated silent are still made up.
    assert RULES.reasons(_segment("You", avg_logprob=-1.4, no_speech_prob=0.9), 6) == ("no_speech",)


def test_apply_flags_and_clamps_to_the_audio() -> None:
    segments = [_segment("Voting starts at seven.", end=7.0), _segment(".", start=6.5, end=9.0)]
    first, second = RULES.apply(segments, 6.0)
    assert (first.end, first.is_hallucination) == (6.0, False)
    assert (second.start, second.end, second.hallucination) == (6.5, 6.5, ("no_words", "past_end"))
