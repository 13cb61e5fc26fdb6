"""User-supplied regular expressions matched in linear time (RE2), never by backtracking."""

from __future__ import annotations

from collections.abc import Iterator

import re2

from collectors.errors import UserError

# Python's `re` gives \w and \d their Unicode meaning on str; RE2 keeps them ASCII. These
# rewrites keep keyword regexes meaning the same in Khmer, Cyrillic or Arabic text.
_WORD = r"\p{L}\p{N}_"
_OUTSIDE_CLASS = {"w": f"[{_WORD}]", "W": f"[^{_WORD}]", "d": r"\p{Nd}", "D": r"\P{Nd}"}
_INSIDE_CLASS = {"w": _WORD, "d": r"\p{Nd}"}
# Candidate matches tried per text before giving up on a term (whole-word checks can reject
# matches one by one; this bounds the work a hostile text can cause).
MAX_CANDIDATES = 1000
_QUANTIFIERS = frozenset("*+?{")


class UserRegexError(UserError, ValueError):
    """A user regular expression RE2 cannot use (backreferences, lookaround, bad syntax)."""


def _to_re2(source: str) -> str:
    """`source` with \\w \\W \\d \\D rewritten to their Unicode classes (ASCII-only in RE2)."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            escaped = source[index + 1]
            table = _INSIDE_CLASS if in_class else _OUTSIDE_CLASS
            out.append(table.get(escaped, char + escaped))
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            index += 1
            # A ']' right after '[' or '[^' is a literal member, not the end of the class.
            if source.startswith("^", index):
                out.append("^")
                index += 1
            if source.startswith("]", index):
                out.append("]")
                index += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def compile_user_regex(source: str, *, case_sensitive: bool) -> UserRegex:
    """Compile `source` for RE2, or raise UserRegexError with a one-line reason."""
    return UserRegex(source, case_sensitive=case_sensitive)


class UserRegex:
    """One compiled user regex; finds matches in time linear in the text."""

    def __init__(self, source: str, *, case_sensitive: bool) -> None:
        self.source = source
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = case_sensitive
        try:
            self._regex = re2.compile(_to_re2(source), options)
        except re2.error as exc:
            reason = exc.args[0] if exc.args else "invalid"
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise UserRegexError(
                f"{source!r} is not a valid regular expression for RE2, polmon's linear-time "
                f"engine ({reason}; backreferences and lookaround are not supported)"
            ) from None
        if self._regex.fullmatch("") is not None:
            raise UserRegexError(f"{source!r} matches empty text")

    def candidates(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of the leftmost match at or after each successive start position.

        After a candidate at `start`, the search resumes at `start + 1`, so overlapping
        candidates are offered; at most MAX_CANDIDATES of them per text.
        """
        encoded = text.encode("utf-8")
        byte_pos = 0
        # Char offset of `seen_byte`, advanced incrementally so the whole scan stays linear.
        seen_byte = seen_char = 0
        for _ in range(MAX_CANDIDATES):
            match = self._regex.search(encoded, byte_pos)
            if match is None:
                return
            byte_start, byte_end = match.span()
            seen_char += len(encoded[seen_byte:byte_start].decode("utf-8"))
            seen_byte = byte_start
            start = seen_char
            yield start, start + len(encoded[byte_start:byte_end].decode("utf-8"))
            byte_pos = byte_start + 1
            while byte_pos < len(encoded) and encoded[byte_pos] & 0xC0 == 0x80:
                byte_pos += 1
            if byte_pos > len(encoded):
                return


def regex_warnings(source: str) -> list[str]:
    """Advice on a pattern that works but is probably not what its author meant."""
    warnings = []
    if has_nested_quantifier(source):
        warnings.append(
            "nests quantifiers (like (a+)+), which backtracking engines take exponential "
            "time on; polmon matches it in linear time, but check it says what you mean"
        )
    if "\\b" in source or "\\B" in source:
        warnings.append(
            "uses \\b, which RE2 treats as ASCII-only: outside Latin text use whole_word instead"
        )
    return warnings


def has_nested_quantifier(source: str) -> bool:
    """Whether a quantified group contains a quantifier, as in (a+)+ or (?:x*y)*."""
    stack: list[bool] = []  # per open group: whether it contains a quantifier
    index = 0
    in_class = False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack.append(False)
        elif char == ")" and stack:
            inner = stack.pop()
            if stack and inner:
                stack[-1] = True
            index += 1
            if inner and index < len(source) and source[index] in _QUANTIFIERS:
                return True
            continue
        elif char in _QUANTIFIERS and stack and not _is_group_flag(source, index):
            stack[-1] = True
        index += 1
    return False


def _is_group_flag(source: str, index: int) -> bool:
    """Whether the '?' at `index` opens a group extension like (?: or (?i), not a quantifier."""
    return source[index] == "?" and index > 0 and source[index - 1] == "("
