"""Hostile post texts that must come back from parsing and storage exactly as written."""

from __future__ import annotations

KHMER_LONG = ("ក្បត់ជាតិ <tag> & 🙂 ហ៊ុន សែន\u200b " * 200)[:4096]

HOSTILE_TEXTS: dict[int, str] = {
    101: (
        "<script>alert('x')</script> <b>not bold</b> &amp; \"quotes\" <img src=x onerror=alert(1)>"
    ),
    102: "\u202eRTL override\u202c then \u200fمرحبا بالعالم\u200e and שלום",
    103: "zero\u200bwidth\u200c non-joiner\u200d joiner\ufeffbom\u2060word-joiner",
    104: "សម្ដេចតេជោ ហ៊ុន សែន 🇰🇭👍🏽 ❤️\u200d🔥\nបន្ទាត់ទីពីរ",
    105: KHMER_LONG,
    106: "  leading and trailing spaces  \n\n\nthree newlines\ttab\u00a0nbsp",
}
