"""A stand-in for t.me on 127.0.0.1: channel (t.me/s) and profile pages in t.me's markup.

Pages follow the structure of the recorded pages in ../shared/reference/telegram-web
(message wrap, author, text, media blocks, reactions, footer with views and time, the
`data-before` link to older posts), rendered from plain Python values so that tests can
change a channel between passes: add, edit and delete posts, grow views and subscribers,
rename or remove the channel, and queue faults (429, 500, truncated or odd pages).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from werkzeug import Request, Response


def compact(number: int) -> str:
    """Telegram's short counts: 705, 9.76K, 279K, 2.19M, 10.1M (three digits, cut down)."""
    if number < 1000:
        return str(number)
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K")):
        if number >= size:
            value = Decimal(number) / size
            digits = 3 - len(str(int(value)))
            quantum = Decimal(1).scaleb(-digits) if digits > 0 else Decimal(1)
            text = str(value.quantize(quantum, rounding=ROUND_DOWN))
            return (text.rstrip("0").rstrip(".") if "." in text else text) + suffix
    raise AssertionError("unreachable")  # pragma: no cover


def grouped(number: int) -> str:
    """The exact count as t.me prints it on profile pages: `10 612 280`."""
    return f"{number:,}".replace(",", " ")


@dataclass
class SiteMedia:
    kind: str  # photo, video, voice, round_video, document, audio
    url: str = "https://cdn.example/file.mp4"
    duration: str | None = None  # as shown: "0:42"
    thumb: str | None = "https://cdn.example/thumb.jpg"
    title: str = "file"


@dataclass
class SitePost:
    id: int
    date: datetime
    text: str = ""
    views: int | None = 1000
    edited: bool = False
    media: list[SiteMedia] = field(default_factory=list)
    forwarded_from: tuple[str, str] | None = None
    reply_to: int | None = None
    reactions: dict[str, int] = field(default_factory=dict)
    service: bool = False
    extra_html: str = ""  # markup placed before the text (polls, stickers…)


@dataclass
class SiteChannel:
    username: str
    title: str
    channel_id: int
    subscribers: int
    description: str = ""
    posts: dict[int, SitePost] = field(default_factory=dict)
    state: str = "public"  # public | no_preview | gone
    show_exact_count: bool = True

    def add(self, *posts: SitePost) -> None:
        for post in posts:
            self.posts[post.id] = post


def _text_html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br/>")


def _data_view(channel_id: int, post_id: int) -> str:
    token = json.dumps({"c": -channel_id, "p": post_id, "t": 1777999520, "h": "0" * 18})
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _media_html(channel: SiteChannel, post: SitePost, media: SiteMedia, href: str) -> str:
    if media.kind == "photo":
        return (
            f'<a class="tgme_widget_message_photo_wrap" href="{href}" '
            f"style=\"width:800px;background-image:url('{media.url}')\">"
            '<div class="tgme_widget_message_photo" style="padding-top:56%"></div></a>'
        )
    if media.kind == "voice":
        return (
            '<div class="tgme_widget_message_voice_player js-message_voice_player">'
            f'<audio class="tgme_widget_message_voice js-message_voice" src="{media.url}" '
            'preload="none"></audio><time class="tgme_widget_message_voice_duration '
            f'js-message_voice_duration">{media.duration or "0:01"}</time></div>'
        )
    if media.kind == "round_video":
        return (
            '<div class="tgme_widget_message_roundvideo_player js-message_roundvideo_player">'
            f'<i class="tgme_widget_message_roundvideo_thumb" style="background-image:url(\''
            f'{media.thumb}\')"></i><div class="tgme_widget_message_roundvideo_wrap">'
            f'<video class="tgme_widget_message_roundvideo js-message_roundvideo" '
            f'src="{media.url}"></video></div><time class="tgme_widget_message_roundvideo_duration'
            f' js-message_roundvideo_duration">{media.duration or "0:01"}</time></div>'
        )
    if media.kind in ("document", "audio"):
        icon = " audio" if media.kind == "audio" else ""
        return (
            f'<a class="tgme_widget_message_document_wrap" href="{href}">'
            f'<div class="tgme_widget_message_document_icon accent_bg{icon}"></div>'
            '<div class="tgme_widget_message_document"><div class="tgme_widget_message_'
            f'document_title accent_color" dir="auto">{html.escape(media.title)}</div>'
            '<div class="tgme_widget_message_document_extra" dir="auto">1.2 MB</div></div></a>'
        )
    duration = (
        f'<time class="message_video_duration js-message_video_duration">{media.duration}</time>'
    )
    return (
        f'<a class="tgme_widget_message_video_player js-message_video_player" href="{href}">'
        '<i class="tgme_widget_message_video_thumb" '
        f"style=\"background-image:url('{media.thumb}')\">"
        '</i><div class="tgme_widget_message_video_wrap" style="width:1280px;padding-top:56.25%">'
        f'<video src="{media.url}" class="tgme_widget_message_video js-message_video" '
        'width="100%" height="100%"></video></div><div class="message_video_play '
        f'js-message_video_play"></div>{duration if media.duration else ""}</a>'
    )


def message_html(channel: SiteChannel, post: SitePost) -> str:
    """One message in t.me/s markup."""
    base = f"https://t.me/{channel.username}"
    parts = [
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        '<div class="tgme_widget_message text_not_supported_wrap'
        f'{" service_message" if post.service else ""} js-widget_message" '
        f'data-post="{channel.username}/{post.id}" '
        f'data-view="{_data_view(channel.channel_id, post.id)}">'
        '<div class="tgme_widget_message_bubble">'
        '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_'
        f'owner_name" href="{base}"><span dir="auto">{html.escape(channel.title)}</span></a></div>'
    ]
    if post.forwarded_from:
        name, url = post.forwarded_from
        parts.append(
            '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
            f'<a class="tgme_widget_message_forwarded_from_name" href="{url}">'
            f'<span dir="auto">{html.escape(name)}</span></a></div>'
        )
    if post.reply_to is not None:
        parts.append(
            f'<a class="tgme_widget_message_reply" href="{base}/{post.reply_to}">'
            '<div class="tgme_widget_message_text js-message_reply_text">…</div></a>'
        )
    parts.append(post.extra_html)
    if len(post.media) > 1:
        parts.append('<div class="tgme_widget_message_grouped_wrap js-message_grouped_wrap">')
        for offset, media in enumerate(post.media):
            href = f"{base}/{post.id + offset}?single"
            parts.append(_media_html(channel, post, media, href))
        parts.append("</div>")
    elif post.media:
        parts.append(_media_html(channel, post, post.media[0], f"{base}/{post.id}"))
    if post.text:
        parts.append(
            '<div class="tgme_widget_message_text js-message_text" dir="auto">'
            f"{_text_html(post.text)}</div>"
        )
    if post.reactions:
        chips = "".join(
            '<span class="tgme_reaction">'
            f'<i class="emoji"><b>{emoji}</b></i>{compact(count)}</span>'
            for emoji, count in post.reactions.items()
        )
        parts.append(
            f'<div class="tgme_widget_message_reactions js-message_reactions">{chips}</div>'
        )
    views = (
        f'<span class="tgme_widget_message_views">{compact(post.views)}</span>'
        '<span class="copyonly"> views</span>'
        if post.views is not None
        else ""
    )
    parts.append(
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        f'<div class="tgme_widget_message_info short js-message_info">{views}'
        f'<span class="tgme_widget_message_meta">{"edited &nbsp;" if post.edited else ""}'
        f'<a class="tgme_widget_message_date" href="{base}/{post.id}">'
        f'<time datetime="{post.date.isoformat()}" class="time">'
        f"{post.date:%H:%M}</time></a></span></div></div></div></div></div>"
    )
    return "".join(parts)


def channel_page_html(channel: SiteChannel, before: int | None = None, page_size: int = 20) -> str:
    """t.me/s/<channel>[?before=N]: up to `page_size` posts older than `before`, oldest first."""
    ids = sorted(i for i in channel.posts if before is None or i < before)
    shown = ids[-page_size:]
    more = ""
    if shown and shown[0] > min(channel.posts):
        more = (
            '<div class="tgme_widget_message_centered js-messages_more_wrap">'
            f'<a href="/s/{channel.username}?before={shown[0]}" class="tme_messages_more '
            f'js-messages_more" data-before="{shown[0]}"></a></div>'
        )
    messages = "".join(message_html(channel, channel.posts[i]) for i in shown)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(channel.title)}'
        f' – Telegram</title><meta property="al:android:url" content="tg:resolve?domain='
        f'{channel.username}"></head><body><header class="tgme_header">'
        '<div class="tgme_channel_info">'
        '<div class="tgme_channel_info_header"><i class="tgme_page_photo_image bgcolor2">'
        f'<img src="https://cdn.example/{channel.username}.jpg"></i>'
        '<div class="tgme_channel_info_header_title"><span dir="auto">'
        f"{html.escape(channel.title)}</span></div>"
        '<div class="tgme_channel_info_header_username"><a href="https://t.me/'
        f'{channel.username}">@{channel.username}</a></div></div>'
        '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
        f'<span class="counter_value">{compact(channel.subscribers)}</span> '
        '<span class="counter_type">subscribers</span></div></div>'
        f'<div class="tgme_channel_info_description">{_text_html(channel.description)}</div>'
        f'</div></header><main class="tgme_main" data-url="/{channel.username}">'
        '<div class="tgme_container"><section class="tgme_channel_history js-message_history">'
        f"{more}{messages}</section></div></main></body></html>"
    )


def profile_page_html(channel: SiteChannel) -> str:
    """t.me/<channel>: title, exact subscriber count, description, avatar."""
    extra = (
        f'<div class="tgme_page_extra">{grouped(channel.subscribers)} subscribers</div>'
        if channel.show_exact_count
        else ""
    )
    preview = (
        '<div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link" '
        f'href="/s/{channel.username}">Preview channel</a></div>'
        if channel.state == "public"
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{html.escape(channel.title)}">'
        f'<meta property="al:android:url" content="tg:resolve?domain={channel.username}">'
        '</head><body><div class="tgme_page_wrap"><div class="tgme_body_wrap">'
        '<div class="tgme_page"><div class="tgme_page_photo"><a href="tg://resolve?domain=x">'
        '<img class="tgme_page_photo_image"'
        f' src="https://cdn.example/{channel.username}.jpg"></a></div>'
        f'<div class="tgme_page_title"><span dir="auto">{html.escape(channel.title)}</span></div>'
        f'{extra}<div class="tgme_page_description" dir="auto">'
        f"{_text_html(channel.description)}</div>"
        f"{preview}</div></div></div></body></html>"
    )


def contact_shell_html(username: str) -> str:
    """What t.me shows for a username that resolves to nothing public."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="Telegram: Contact @{username}"></head><body>'
        '<div class="tgme_page_wrap"><div class="tgme_page"><div class="tgme_page_icon"></div>'
        '<div class="tgme_page_description">If you have <strong>Telegram</strong>, you can contact '
        f'<a class="tgme_username_link" href="tg://resolve?domain={username}">@{username}</a> '
        "right away.</div></div></div></body></html>"
    )


class TelegramSite:
    """Routes /s/<name> and /<name> to the channels; faults queued per path come first."""

    def __init__(self, page_size: int = 20) -> None:
        self.channels: dict[str, SiteChannel] = {}
        self.page_size = page_size
        self.faults: dict[str, list[Response]] = {}
        self.requests: list[str] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request, as self.requests
        self.holds: dict[str, tuple[threading.Event, threading.Event]] = {}
        self._lock = threading.Lock()

    def add(self, channel: SiteChannel) -> SiteChannel:
        self.channels[channel.username.lower()] = channel
        return channel

    def fault(self, path: str, *responses: Response) -> None:
        """Answer the next requests for `path` (e.g. "/s/chan") with these responses."""
        with self._lock:
            self.faults.setdefault(path, []).extend(responses)

    def hold(self, full_path: str) -> tuple[threading.Event, threading.Event]:
        """Make the request for `full_path` (e.g. "/s/chan?before=9") wait: returns the event
        set when it arrives and the one that lets it go on."""
        arrived, release = threading.Event(), threading.Event()
        self.holds[full_path] = (arrived, release)
        return arrived, release

    def handle(self, request: Request) -> Response:
        full_path = request.full_path.rstrip("?")
        with self._lock:
            self.requests.append(full_path)
            self.arrivals.append(time.monotonic())
            queued = self.faults.get(request.path)
            if queued:
                return queued.pop(0)
            held = self.holds.pop(full_path, None)
        if held is not None:
            held[0].set()
            held[1].wait(timeout=60)
        single = re.fullmatch(r"/([A-Za-z0-9_]+)/([0-9]+)/?", request.path)
        if single:
            return self._single_post(single.group(1), int(single.group(2)))
        match = re.fullmatch(r"/(s/)?([A-Za-z0-9_]+)/?", request.path)
        if not match:
            return Response("not found", status=404)
        preview, name = bool(match.group(1)), match.group(2)
        channel = self.channels.get(name.lower())
        if preview and (channel is None or channel.state != "public"):
            # t.me sends /s/<name> of a missing or preview-less channel on to /<name>
            return Response(status=302, headers={"Location": f"/{name}"})
        if channel is None or channel.state == "gone":
            return _html(contact_shell_html(name))
        if preview:
            before = request.args.get("before")
            page = channel_page_html(channel, int(before) if before else None, self.page_size)
            return _html(page)
        return _html(profile_page_html(channel))

    def _single_post(self, name: str, post_id: int) -> Response:
        """t.me/<channel>/<id> (and its `?embed=1`): the one post, or 404 once it is gone."""
        channel = self.channels.get(name.lower())
        post = None if channel is None or channel.state != "public" else channel.posts.get(post_id)
        if channel is None or post is None:
            return _html("<!DOCTYPE html><html><body>Post not found</body></html>", 404)
        return _html(embed_page_html(channel, post))


def embed_page_html(channel: SiteChannel, post: SitePost) -> str:
    """t.me/<channel>/<id>?embed=1: one message in t.me's widget markup, styled inline (no
    request leaves the page)."""
    style = (
        "body{margin:0;background:#dfe7ef;font:15px sans-serif}"
        ".tgme_widget_message_bubble{background:#fff;margin:12px;padding:12px;"
        "border-radius:10px;box-shadow:0 1px 2px #8aa}"
        ".tgme_widget_message_author{color:#2a7ab0;font-weight:bold}"
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{style}</style></head>'
        f"<body>{message_html(channel, post)}</body></html>"
    )


def _html(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/html; charset=utf-8")


# Telegram tests place their posts relative to the moment the tests started.
NOW = datetime.now(UTC).replace(microsecond=0)


def channel_with_posts(
    username: str, count: int, *, first_id: int = 1, hours_apart: float = 1.0, **fields: Any
) -> SiteChannel:
    """A public channel with `count` text posts, the newest one hour ago."""
    channel = SiteChannel(
        username, f"{username} title", 1_000_000 + len(username), 123_456, **fields
    )
    for offset in range(count):
        post_id = first_id + offset
        date = NOW - timedelta(hours=1 + hours_apart * (count - 1 - offset))
        channel.add(
            SitePost(post_id, date, text=f"post {post_id} of @{username}", views=100 * post_id)
        )
    return channel
