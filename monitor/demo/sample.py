"""The demo's bundled sample: a Telegram channel in t.me's markup, before and after a day."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

CHANNEL = "pm_demo"
CHANNEL_ID = 1234567890
TITLE = "Demo Prime Minister"


@dataclass
class SamplePost:
    post_id: int
    hours_ago: float
    text: str
    views: int
    video: str | None = None  # a file under monitor/demo/media
    duration: str = "0:05"
    edited: bool = False
    reactions: dict[str, int] = field(default_factory=dict)


@dataclass
class SamplePass:
    subscribers: int
    posts: list[SamplePost]


def sample_passes() -> list[SamplePass]:
    """Two captures of the channel: the second grows, edits post 3, deletes post 6, adds 7."""
    first = [
        SamplePost(1, 20, "Good morning, Cambodia! The Candlelight Party is spreading lies.", 12400,
                   reactions={"👍": 830, "🔥": 95}),
        SamplePost(2, 16, "សារពិសេសពីនាយករដ្ឋមន្ត្រី: ពួកក្បត់ជាតិនឹងត្រូវចាប់ខ្លួន។", 30100,
                   video="speech1.mp4"),
        SamplePost(3, 12, "We will move our announcements to Telegram.", 8700),
        SamplePost(4, 8, "Watch my message to the youth.", 21500, video="speech2.mp4"),
        SamplePost(5, 5, "<script>alert('x')</script><img src=x onerror=alert(1)> "
                   "Lies about the CNRP will not be tolerated.", 6400),
        SamplePost(6, 3, "This announcement was posted by mistake.", 1500),
    ]  # fmt: skip
    second = [
        SamplePost(1, 20, first[0].text, 15900, reactions={"👍": 1020, "🔥": 131}),
        SamplePost(2, 16, first[1].text, 41800, video="speech1.mp4"),
        SamplePost(3, 12, "We will move our announcements to Telegram and TikTok. "
                   "Traitors will be arrested.", 11200, edited=True),
        SamplePost(4, 8, first[3].text, 28800, video="speech2.mp4"),
        SamplePost(5, 5, first[4].text, 9900),
        SamplePost(7, 1, "The police have my order.", 4100, video="speech3.mp4"),
    ]  # fmt: skip
    return [SamplePass(852_340, first), SamplePass(861_905, second)]


def _short_count(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.1f}K"
    return str(value)


def _data_view(post_id: int, now: datetime) -> str:
    token = json.dumps({"c": -CHANNEL_ID, "p": post_id, "t": int(now.timestamp())})
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def _message(post: SamplePost, now: datetime, media_base: str) -> str:
    published = (now - timedelta(hours=post.hours_ago)).replace(microsecond=0)
    link = f"https://t.me/{CHANNEL}/{post.post_id}"
    video = ""
    if post.video:
        video = (
            f'<a class="tgme_widget_message_video_player js-message_video_player" href="{link}">'
            '<i class="tgme_widget_message_video_thumb" style="background-image:url('
            f"'{media_base}/thumb.jpg')\"></i>"
            '<div class="tgme_widget_message_video_wrap" style="width:160px;padding-top:75%">'
            f'<video src="{media_base}/{post.video}" class="tgme_widget_message_video '
            'js-message_video" width="100%" height="100%"></video></div>'
            f'<time class="message_video_duration js-message_video_duration">{post.duration}'
            "</time></a>"
        )
    reactions = "".join(
        f'<span class="tgme_reaction"><i class="emoji"><b>{emoji}</b></i>{count}</span>'
        for emoji, count in post.reactions.items()
    )
    if reactions:
        reactions = (
            f'<div class="tgme_widget_message_reactions js-message_reactions">{reactions}</div>'
        )
    edited = "edited &nbsp;" if post.edited else ""
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        '<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
        f'data-post="{CHANNEL}/{post.post_id}" data-view="{_data_view(post.post_id, now)}">'
        '<div class="tgme_widget_message_bubble">'
        '<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_'
        f'name" href="https://t.me/{CHANNEL}"><span dir="auto">{escape(TITLE)}</span></a></div>'
        f'{video}<div class="tgme_widget_message_text js-message_text" dir="auto">'
        f"{escape(post.text)}</div>{reactions}"
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        f'<span class="tgme_widget_message_views">{_short_count(post.views)}</span>'
        '<span class="copyonly"> views</span><span class="tgme_widget_message_meta">'
        f'{edited}<a class="tgme_widget_message_date" href="{link}">'
        f'<time datetime="{published.isoformat()}" class="time">{published:%H:%M}</time></a>'
        "</span></div></div></div></div></div>"
    )


def channel_page(capture: SamplePass, now: datetime, media_base: str) -> str:
    """t.me/s/<channel>: the channel header and its messages, oldest first, as t.me serves."""
    messages = "".join(_message(p, now, media_base) for p in capture.posts)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE} – Telegram</title>'
        '</head><body><div class="tgme_channel_info"><div class="tgme_channel_info_header">'
        f'<i class="tgme_page_photo_image"><img src="{media_base}/thumb.jpg"></i>'
        f'<div class="tgme_channel_info_header_title"><span dir="auto">{TITLE}</span></div>'
        f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{CHANNEL}">'
        f"@{CHANNEL}</a></div></div>"
        '<div class="tgme_channel_info_description">Official channel (polmon demo sample).</div>'
        '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
        f'<span class="counter_value">{_short_count(capture.subscribers)}</span> '
        '<span class="counter_type">subscribers</span></div></div></div>'
        '<section class="tgme_channel_history js-message_history">'
        f"{messages}</section></body></html>"
    )


def profile_page(capture: SamplePass, media_base: str) -> str:
    """t.me/<channel>: the exact subscriber count."""
    count = f"{capture.subscribers:,}".replace(",", " ")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{TITLE}">'
        f'<meta property="al:android:url" content="tg:resolve?domain={CHANNEL}"></head><body>'
        '<div class="tgme_page"><div class="tgme_page_photo"><a href="#">'
        f'<img class="tgme_page_photo_image" src="{media_base}/thumb.jpg"></a></div>'
        f'<div class="tgme_page_title"><span dir="auto">{TITLE}</span></div>'
        f'<div class="tgme_page_extra">{count} subscribers</div>'
        '<div class="tgme_page_description" dir="auto">Official channel (polmon demo sample).'
        '</div><div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link" '
        f'href="/s/{CHANNEL}">Preview channel</a></div></div></body></html>'
    )


def capture_time() -> datetime:
    return datetime.now(UTC)
