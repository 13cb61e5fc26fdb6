"""Render a digest to HTML (autoescaped Jinja2, inline CSS, no scripts) and plain text."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from monitor.digest.chart import audience_chart
from monitor.digest.data import DigestData

SAFE_SCHEMES = ("http", "https")


@dataclass
class RenderedDigest:
    """A rendered digest: subject, both bodies, and inline images by Content-ID."""

    subject: str
    html: str
    text: str
    images: dict[str, bytes] = field(default_factory=dict)


def safe_url(value: str | None) -> str | None:
    """`value` when it is an http(s) URL; anything else (javascript:, data:…) is dropped."""
    if not value:
        return None
    value = value.strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if scheme in SAFE_SCHEMES else None


def shorten(value: str | None, limit: int = 400) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timecode(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def signed(value: int | None) -> str:
    return "—" if value is None else f"{value:+,}"


def signed_percent(value: int | None, percent: float | None) -> str:
    """`+12,500 (+1.47%)`; the percent left out when unknown (an old count of 0)."""
    if value is None:
        return "—"
    return f"{value:+,}" + ("" if percent is None else f" ({percent:+.2f}%)")


def highlight(snippet: str, terms: str | Sequence[str]) -> Markup:
    """The snippet, escaped, with every occurrence of the terms wrapped in <mark>."""
    text = shorten(snippet, 300)
    wanted = [terms] if isinstance(terms, str) else list(terms)
    wanted = sorted({t for t in wanted if t}, key=len, reverse=True)  # longest first
    if not wanted:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    style = "background:#fff3a3;padding:0 2px"
    out, last = Markup(""), 0
    for match in pattern.finditer(text):
        out += escape(text[last : match.start()])
        out += Markup(f'<mark style="{style}">') + escape(match.group(0)) + Markup("</mark>")
        last = match.end()
    return out + escape(text[last:])


@pass_context
def local(context: Context, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(context["data"].period.tz).strftime(fmt)


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.digest", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        safe_url=safe_url,
        shorten=shorten,
        timecode=timecode,
        number=number,
        signed=signed,
        signed_percent=signed_percent,
        highlight=highlight,
        local=local,
    )
    return env


HTML_ENV = _environment(autoescape=True)
TEXT_ENV = _environment(autoescape=False)


def subject(data: DigestData, prefix: str) -> str:
    parts = [f"{data.new_posts} new posts", f"{data.keyword_hits} keyword hits"]
    if data.failures:
        parts.append(f"{len(data.failures)} failures")
    name = "" if data.scope.name == "all" else f" {data.scope.name}"
    # ASCII separators: Python folds a long header badly around non-ASCII punctuation.
    line = f"{prefix} digest{name}: {', '.join(parts)} - {data.period.describe('-')}"
    return " ".join(line.split())  # one header line whatever the names contain


def render(data: DigestData, *, prefix: str = "[polmon]", inline: bool = True) -> RenderedDigest:
    """Render `data`; `inline`: charts as CID parts (email), else data: URIs (a file)."""
    images: dict[str, bytes] = {}
    chart_png = audience_chart(data.audience, zone=data.period.zone)
    chart_src: str | None = None
    if chart_png is not None:
        if inline:
            cid = make_msgid("audience", domain="polmon.digest")[1:-1]
            images[cid] = chart_png
            chart_src = f"cid:{cid}"
        else:
            chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    context: dict[str, Any] = {"data": data, "chart_src": chart_src}
    title = subject(data, prefix)
    return RenderedDigest(
        subject=title,
        html=HTML_ENV.get_template("digest.html").render(title=title, **context),
        text=TEXT_ENV.get_template("digest.txt").render(title=title, **context),
        images=images,
    )
