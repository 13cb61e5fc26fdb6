"""The post page lists the comments stored under it, authors escaped; a comment's own page
names its post and author; the JSON twin carries them."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import TestDatabase
from tests.support.comments import MARKUP_AUTHOR, SCRIPT_AUTHOR, stored_thread
from tests.support.config import make_config
from tests.support.web import live_server, sign_in


def test_comments_show_under_their_post_escaped(db: TestDatabase, tmp_path: Path) -> None:
    thread = stored_thread(db)
    config = make_config(tmp_path, db)
    with (
        live_server(config, db.engine) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        sign_in(server, client)
        page = client.get(f"/posts/{thread.post}")
        assert page.status_code == 200
        html = page.text
        assert 'id="comments"' in html and html.count('class="comment"') == 2
        assert "<script>alert('x')</script>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "<b>not bold</b>" not in html
        assert "[bold]Loud[/bold] [[actors]]" in html
        assert "answering 600/c70001" in html
        assert f'href="/posts/{thread.comments[0]}"' in html

        own = client.get(f"/posts/{thread.comments[0]}").text
        assert f'href="/posts/{thread.post}"' in own and "Comment on" in own
        assert "<script>alert('x')</script>" not in own

        twin = client.get(f"/api/posts/{thread.post}").json()
        assert [c["author"] for c in twin["comments"]] == [SCRIPT_AUTHOR, MARKUP_AUTHOR]
        assert twin["comments_stored"] == 2

        account = client.get(f"/accounts/{thread.account}")  # the channel's own posts only
        assert account.status_code == 200
        assert "a post people answer" in account.text and "answering you" not in account.text
