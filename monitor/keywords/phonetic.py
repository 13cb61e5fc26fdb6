"""A Metaphone-like phonetic key of Latin-script words, for approximate matching of names."""

from __future__ import annotations

import re
import unicodedata

_VOWEL = "aeiouy"
# Spellings of one sound, longest first (applied left to right on the folded word).
_DIGRAPHS = (
    ("sch", "sk"), ("tch", "c"), ("ph", "f"), ("gh", ""), ("ck", "k"), ("kh", "k"), ("sh", "x"),
    ("ch", "x"), ("th", "t"), ("dg", "j"), ("wh", "w"), ("qu", "kw"), ("ng", "n"),
)  # fmt: skip
_INITIAL = (("kn", "n"), ("gn", "n"), ("pn", "n"), ("wr", "r"), ("ps", "s"), ("x", "s"))
_SINGLE = {"b": "p", "d": "t", "g": "k", "q": "k", "z": "s", "v": "f", "x": "ks"}


def _fold(word: str) -> str:
    plain = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in plain if c.isalpha() and not unicodedata.combining(c))


def phonetic_key(text: str) -> str:
    """Consonant sounds of `text` (words run together): voiced and voiceless pairs folded
    (b/p, d/t, g/k, v/f, z/s), soft c and g as s and j, silent letters and vowels dropped
    (a leading vowel kept as "a"), repeats collapsed: "Phnom Penh" -> "fnmpn"."""
    word = _fold(text)
    if not word:
        return ""
    for spelled, sound in _INITIAL:
        if word.startswith(spelled):
            word = sound + word[len(spelled) :]
            break
    out: list[str] = ["a"] if word[0] in _VOWEL else []
    i = 0
    while i < len(word):
        for spelled, sound in _DIGRAPHS:
            if word.startswith(spelled, i):
                out.append(sound)
                i += len(spelled)
                break
        else:
            char = word[i]
            after = word[i + 1] if i + 1 < len(word) else ""
            if char in _VOWEL or (char in "hw" and (not after or after not in _VOWEL)):
                pass  # vowels, and h or w not before a vowel, are not consonant sounds
            elif char == "c":
                out.append("s" if after in "eiy" and after else "k")
            elif char == "g" and after and after in "eiy":
                out.append("j")
            else:
                out.append(_SINGLE.get(char, char))
            i += 1
    return re.sub(r"(.)\1+", r"\1", "".join(out))
