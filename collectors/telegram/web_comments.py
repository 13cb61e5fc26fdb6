"""Pure parser of the public discussion widget (`t.me/<channel>/<id>?embed=1&discussion=1`).

The widget (what `telegram-widget.js` loads for `data-telegram-discussion`) is served without
login and renders the newest comments of a post on the server, up to `comments_limit`: each one
a `div.tgme_widget_message.js-widget_message[data-post-id]` with its author
(`.tgme_widget_message_author_name`, a link to t.me/<username> or a bare name), its text
(`.js-message_text`), its time (`.tgme_widget_message_date time[datetime]`) and reactions;
older comments are announced by `.js-messages_more[data-before]`, a post without a readable
discussion by `.tme_no_messages_found`. See docs/architecture.md (Telegram comments).
"""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree
from lxml.etree import ParserError
from lxml.html import HtmlElement

from collectors.errors import ParseError
from collectors.records import CommentThread, PostRecord, comment_post_id
from collectors.telegram.text import absolute, clean_html, has_class, parse_count, plain_text
from collectors.telegram.web_post import (
    ClassIndex,
    kind_of,
    media_of,
    published_at_of,
    reactions_of,
    text_in,
    text_node_of,
)

_COUNT = re.compile(r"\d[\d,.\u00a0 ]*[KkMm]?")
_USERNAME = re.compile(r"^https?://t\.me/([A-Za-z0-9_]{4,})/?$")


def discussion_params(limit: int) -> dict[str, str]:
    """The query of the widget's page for a post's newest `limit` comments."""
    return {"embed": "1", "discussion": "1", "comments_limit": str(limit)}


def parse_discussion_page(html: str | bytes, channel: str, parent_post_id: str) -> CommentThread:
    """A discussion widget page → the comments it shows, newest first.

    `complete` is true only when the page announces no older comments and every comment on it
    could be read; a page with no readable discussion gives no comments and is not complete
    (so nothing stored is taken as deleted). `total` is the header's count when it shows one.
    """
    if not html or not html.strip():
        raise ParseError(f"t.me/{channel}/{parent_post_id} discussion: empty page")
    try:
        doc = lxml.html.document_fromstring(html)
    except (ParserError, ValueError) as exc:
        where = f"t.me/{channel}/{parent_post_id}"
        raise ParseError(f"{where} discussion: unreadable ({exc})") from None
    nodes = [
        node
        for node in doc.iter(etree.Element)
        if has_class(node, "tgme_widget_message") and (node.get("data-post-id") or "").isdigit()
    ]
    thread = CommentThread(parent_post_id, total=_header_count(doc))
    if not nodes:
        unavailable = any(has_class(n, "tme_no_messages_found") for n in doc.iter(etree.Element))
        if unavailable or not any(has_class(n, "tgme_post_discussion") for n in doc.iter()):
            return CommentThread(parent_post_id, total=thread.total, complete=False)
    for node in nodes:
        try:
            thread.comments.append(parse_comment(node, channel, parent_post_id))
        except ParseError:
            thread.complete = False  # a comment that could not be read may be any comment
    thread.comments.sort(key=lambda c: int(c.platform_post_id.rpartition("/c")[2]), reverse=True)
    older = doc.xpath("//*[@data-before]")
    if any(has_class(e, "js-messages_more") for e in older):
        thread.complete = False
    return thread


def parse_comment(node: HtmlElement, channel: str, parent_post_id: str) -> PostRecord:
    """One `div.tgme_widget_message[data-post-id]` of the widget → a comment record."""
    comment_id = node.get("data-post-id") or ""
    index = ClassIndex(node)
    where = f"{channel}/{parent_post_id}?comment={comment_id}"
    raw: dict[str, Any] = {}
    record = PostRecord(
        platform_post_id=comment_post_id(parent_post_id, comment_id),
        published_at=published_at_of(index, where),
        url=f"https://t.me/{where}",
        parent_post_id=parent_post_id,
    )
    text_node = text_node_of(index)
    if text_node is not None:
        record.text = plain_text(text_node)
        record.text_html = clean_html(text_node)
    record.reactions = reactions_of(index, raw)
    record.kind = kind_of(index, media_of(index, raw), raw)  # the kind only: no media are queued
    author = _author(index)
    if author is not None:
        record.author_name = text_in(author)
        username = _USERNAME.match(absolute(author.get("href")) or "")
        if username:
            raw["author_username"] = username.group(1)
    reply = index.first("tgme_widget_message_reply")
    answered = reply.get("data-reply-to") if reply is not None else None
    if answered and answered.isdigit():
        record.reply_to_id = comment_post_id(parent_post_id, answered)
    record.raw = raw or None
    return record


def _author(index: ClassIndex) -> HtmlElement | None:
    """The comment's own author name (not the name inside a quoted reply)."""
    quoted = {inner for reply in index.all("tgme_widget_message_reply") for inner in reply.iter()}
    return next((e for e in index.all("tgme_widget_message_author_name") if e not in quoted), None)


def _header_count(doc: HtmlElement) -> int | None:
    """The number in the widget's header (`740 comments`, `1.2K comments`), None when it shows
    none."""
    for header in doc.iter(etree.Element):
        if has_class(header, "tgme_post_discussion_header") or has_class(
            header, "tgme_post_discussion_header_wrap"
        ):
            for element in header.iter(etree.Element):
                if has_class(element, "js-header"):
                    found = _COUNT.search(plain_text(element))
                    count = parse_count(found.group(0).strip()) if found else None
                    return count[0] if count else None
            return None
    return None
