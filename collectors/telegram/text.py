"""Pure helpers for t.me markup: counts like `1.2K`, durations, plain text and safe HTML."""

from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation

from lxml.html import HtmlElement

_SUFFIXES = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_COUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([KMB])?$", re.IGNORECASE)
_DIGITS_GROUPED = re.compile(r"^\d{1,3}(?:[\s,.\u00a0\u202f']\d{3})+$|^\d+$")
_BACKGROUND_URL = re.compile(r"background-image\s*:\s*url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:", "//")
# Tags kept in the cleaned HTML of a post; others are unwrapped, their text kept.
_KEPT_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "s", "del", "ins", "code", "pre", "blockquote", "tg-spoiler"}
)
_DROPPED_TAGS = frozenset({"script", "style", "template", "noscript"})


def xclass(name: str) -> str:
    """An XPath predicate body matching elements whose class list holds `name`."""
    # The plain `contains` filters cheaply before the exact token test.
    return (
        f"contains(@class, '{name}') and "
        f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
    )


def has_class(element: HtmlElement, name: str) -> bool:
    return name in (element.get("class") or "").split()


def parse_count(text: str | None) -> tuple[int, bool] | None:
    """`'1.2K'` → (1200, True); `'12 345'` → (12345, False); anything else → None."""
    if text is None:
        return None
    value = text.strip().replace("\u00a0", " ")
    if not value:
        return None
    if _DIGITS_GROUPED.match(value):
        return int(re.sub(r"\D", "", value)), False
    match = _COUNT.match(value.replace(" ", ""))
    if not match:
        return None
    number, suffix = match.groups()
    try:
        amount = Decimal(number.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return None
    if suffix is None:
        return int(amount), False
    return int(amount * _SUFFIXES[suffix.upper()]), True


def parse_duration(text: str | None) -> float | None:
    """`'2:35'` → 155.0, `'1:02:03'` → 3723.0; anything else → None."""
    if not text:
        return None
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return float(seconds)


def background_url(style: str | None) -> str | None:
    """The URL of a `background-image:url('…')` in an inline style."""
    if not style:
        return None
    match = _BACKGROUND_URL.search(style)
    return absolute(match.group(1)) if match else None


def absolute(url: str | None) -> str | None:
    """Protocol-relative URLs (`//telegram.org/…`) made https; others unchanged."""
    if url and url.startswith("//"):
        return "https:" + url
    return url or None


def plain_text(element: HtmlElement) -> str:
    """The text as a reader sees it: `<br>` as newlines, emoji images as their characters."""
    parts: list[str] = []
    _collect_text(element, parts)
    return "".join(parts)


def _collect_text(element: HtmlElement, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else None
        if tag == "br":
            parts.append("\n")
        elif tag is not None and tag not in _DROPPED_TAGS:
            _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def clean_html(element: HtmlElement) -> str:
    """The inner HTML reduced to formatting and links, every text escaped, no attributes
    but a link's href (safe schemes only)."""
    parts: list[str] = []
    _collect_html(element, parts)
    return "".join(parts)


def _collect_html(element: HtmlElement, parts: list[str]) -> None:
    if element.text:
        parts.append(html.escape(element.text, quote=False))
    for child in element:
        if isinstance(child.tag, str):
            _child_html(child, parts)
        if child.tail:
            parts.append(html.escape(child.tail, quote=False))


def _child_html(child: HtmlElement, parts: list[str]) -> None:
    tag = child.tag.lower()
    if tag in _DROPPED_TAGS:
        return
    if tag == "br":
        parts.append("<br>")
        return
    if tag == "i" and has_class(child, "emoji"):
        parts.append(html.escape(plain_text(child), quote=False))
        return
    if tag == "span" and has_class(child, "tg-spoiler"):
        tag = "tg-spoiler"
    href = child.get("href", "") if tag == "a" else ""
    if tag == "a" and href.startswith(_SAFE_SCHEMES):
        parts.append(f'<a href="{html.escape(absolute(href) or href, quote=True)}">')
        _collect_html(child, parts)
        parts.append("</a>")
    elif tag in _KEPT_TAGS:
        parts.append(f"<{tag}>")
        _collect_html(child, parts)
        parts.append(f"</{tag}>")
    else:
        _collect_html(child, parts)
