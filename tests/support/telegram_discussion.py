"""t.me's discussion widget (`/<channel>/<id>?embed=1&discussion=1`) as a stand-in page.

The markup follows what public sources record of the real widget (see docs/architecture.md,
"Telegram comments"): the header `h3.tgme_post_discussion_header` with `span.js-header`
("N comments"), the history `div.tgme_post_discussion.js-message_history` holding
`div.tme_messages_more.js-messages_more[data-before]` when older comments exist, then one
`div.tgme_widget_message_wrap.js-widget_message_wrap` per comment around
`div.tgme_widget_message.js-widget_message[data-post-id]` (user photo, bubble with
`.tgme_widget_message_author_name`, an optional `.tgme_widget_message_reply[data-reply-to]`,
`.js-message_text`, reactions, the footer's `a.tgme_widget_message_date` with `time[datetime]`),
the reply form with `peer`, `top_msg_id` and `discussion_hash`; a post without a readable
discussion shows `div.tme_no_messages_found`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class WidgetComment:
    id: int
    at: datetime
    text: str
    author: str
    username: str | None = None  # None: the name is a bare span (no public username)
    reply_to: int | None = None
    reply_author: str | None = None
    reactions: dict[str, int] = field(default_factory=dict)


def _text(value: str) -> str:
    return html.escape(value, quote=False).replace("\n", "<br/>")


def _comment(channel: str, post_id: int, c: WidgetComment) -> str:
    name = f'<span dir="auto">{_text(c.author)}</span>'
    if c.username:
        author = f'<a class="tgme_widget_message_author_name" href="https://t.me/{c.username}">{name}</a>'
        photo = (
            f'<a href="https://t.me/{c.username}"><i class="tgme_widget_message_user_photo '
            f'bgcolor3" data-content="A"><img src="https://cdn4.cdn-telegram.org/file/u{c.id}.jpg">'
            "</i></a>"
        )
    else:
        author = (
            f'<span class="tgme_widget_message_author_name" dir="auto">{_text(c.author)}</span>'
        )
        photo = '<i class="tgme_widget_message_user_photo bgcolor1" data-content="D"></i>'
    reply = ""
    if c.reply_to is not None:
        reply = (
            f'<div class="tgme_widget_message_reply js-reply_to" data-reply-to="{c.reply_to}">'
            '<div class="tgme_widget_message_author accent_color">'
            f'<span class="tgme_widget_message_author_name" dir="auto">'
            f"{_text(c.reply_author or '')}</span></div>"
            '<div class="tgme_widget_message_text js-message_reply_text" dir="auto">…</div></div>'
        )
    reactions = "".join(
        f'<span class="tgme_reaction"><i class="emoji"><b>{emoji}</b></i>{count}</span>'
        for emoji, count in c.reactions.items()
    )
    stamp = c.at.isoformat()
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message js-widget_message" data-post-id="{c.id}">'
        f'<div class="tgme_widget_message_user">{photo}</div>'
        '<div class="tgme_widget_message_bubble">'
        f'<div class="tgme_widget_message_author accent_color">{author}</div>{reply}'
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{_text(c.text)}</div>'
        + (
            f'<div class="tgme_widget_message_reactions js-message_reactions">{reactions}</div>'
            if reactions
            else ""
        )
        + '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        f'<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" '
        f'href="https://t.me/{channel}/{post_id}?comment={c.id}">'
        f'<time datetime="{stamp}" class="time">{c.at:%H:%M}</time></a></span>'
        "</div></div></div></div></div>"
    )


def discussion_page(
    channel: str,
    post_id: int,
    comments: list[WidgetComment],
    *,
    total: int | None = None,
    older: bool = False,
) -> str:
    """The widget's page for a post with these comments (shown oldest first, as t.me does);
    `older`: the page announces older comments it does not show."""
    shown = sorted(comments, key=lambda c: c.id)
    header = f"{total} comments" if total else "Comments"
    more = (
        f'<div class="tme_messages_more js-messages_more" data-before="{shown[0].id}">'
        "Show more comments</div>"
        if older and shown
        else ""
    )
    after = (
        f'<div class="tme_messages_more js-messages_more autoload hide" '
        f'data-after="{shown[-1].id}"></div>'
        if shown
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        "<title>Telegram Widget</title></head>"
        '<body class="widget_frame_base tgme_widget body_widget_discussion">'
        '<div class="tgme_post_discussion_header_wrap">'
        f'<h3 class="tgme_post_discussion_header"><span class="js-header">{header}</span> on '
        f'<a href="https://t.me/{channel}/{post_id}" target="_blank">this post</a></h3></div>'
        '<div class="tgme_post_discussion js-message_history">'
        + more
        + "".join(_comment(channel, post_id, c) for c in shown)
        + after
        + "</div>"
        '<div class="tgme_post_discussion_footer">'
        '<form class="tgme_post_discussion_new_message_form js-new_message_form">'
        '<input type="hidden" name="peer" value="c1400000001_4517828080545053944" />'
        f'<input type="hidden" name="top_msg_id" value="{70000 + post_id}" />'
        '<input type="hidden" name="discussion_hash" value="83c60ba1c7893cb3dd" />'
        '<div class="tgme_post_discussion_login"><a class="js-login_btn">Log in</a></div>'
        "</form></div></body></html>"
    )


def unavailable_page() -> str:
    """The widget's page for a post without a discussion it can show."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body class="widget_frame_base tgme_widget body_widget_discussion">'
        '<div class="tgme_post_discussion tgme_widget_messages_helper js-message_history">'
        '<div class="tgme_widget_message_wrap js-widget_message_wrap js-no_messages_wrap">'
        '<div class="tme_no_messages_found">Discussion is not available at the moment.</div>'
        "</div></div></body></html>"
    )
