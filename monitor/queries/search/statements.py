"""The ranked search statements for posts, polls, transcript segments and the text read in
images (OCR) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    and_,
    column,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import TextClause

from monitor.queries.search.query import (
    MIN_INDEXED_CHARS,
    SearchQuery,
    fts5_match,
    fts5_term,
    like_pattern,
)
from storage.models import Account, Actor, ImageText, Media, Post, Transcript, TranscriptSegment
from storage.search_sql import (
    pg_image_document,
    pg_poll_document,
    pg_post_document,
    pg_segment_document,
    sqlite_strip,
)

POST_TEXT = func.coalesce(Post.title + literal("\n") + Post.text, Post.title, Post.text, "")


def _occurrences(document: ColumnElement[Any], tokens: Sequence[str]) -> ColumnElement[float]:
    """How often the tokens occur in `document`, case-insensitively (a ranking signal)."""
    total: ColumnElement[float] = literal(0.0, Float)
    lowered = func.lower(document)
    for token in tokens:
        needle = token.lower()
        total = total + (
            (func.length(lowered) - func.length(func.replace(lowered, needle, "")))
            * 1.0
            / len(needle)
        )
    return total


def _contains(document: ColumnElement[Any], token: str, *, ilike: bool) -> ColumnElement[bool]:
    if ilike:
        return document.ilike(like_pattern(token), escape="\\")
    return func.instr(func.lower(document), token.lower()) > 0


def _contains_groups(
    document: ColumnElement[Any], groups: Sequence[Sequence[str]], *, ilike: bool
) -> ColumnElement[bool]:
    """One alternative of every group occurs in `document`."""
    return and_(*(or_(*(_contains(document, t, ilike=ilike) for t in group)) for group in groups))


def _contains_none(
    document: ColumnElement[Any], tokens: Sequence[str], *, ilike: bool
) -> list[ColumnElement[bool]]:
    return [not_(_contains(document, t, ilike=ilike)) for t in tokens]


def _sqlite_excluded(
    fts_table: str,
    rowid: ColumnElement[Any] | InstrumentedAttribute[Any],
    document: ColumnElement[Any],
    query: SearchQuery,
) -> list[ColumnElement[bool]]:
    """SQLite: rows holding an excluded term, found like the terms to find (index or scan)."""
    conditions: list[ColumnElement[bool]] = []
    for position, term in enumerate(query.excluded):
        if len(term) >= MIN_INDEXED_CHARS:
            name = f"fts_not_{position}"
            # fts_table is one of our two constant table names, never user input.
            sql = f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH :{name}"  # noqa: S608
            matching = text(sql).bindparams(**{name: fts5_term(term)}).columns(column("rowid"))
            conditions.append(rowid.not_in(matching))
        else:
            conditions.append(not_(_contains(document, term, ilike=False)))
    return conditions


def _with_owner(stmt: Select[Any]) -> Select[Any]:
    return stmt.join(Account, Account.id == Post.account_id).join(
        Actor, Actor.id == Account.actor_id
    )


def _columns(
    kind: str, body: ColumnElement[Any] | InstrumentedAttribute[Any], score: ColumnElement[float]
) -> list[Any]:
    segment = kind == "segment"
    return [
        literal(kind).label("kind"),
        Post.id.label("post_id"),
        (TranscriptSegment.id if segment else literal(None)).label("segment_id"),
        body.label("body"),
        Post.url.label("url"),
        Post.published_at.label("published_at"),
        Account.platform.label("platform"),
        Account.handle.label("handle"),
        Actor.name.label("actor"),
        (TranscriptSegment.start_seconds if segment else literal(None)).label("start_seconds"),
        score.label("score"),
    ]


def _segment_join(
    stmt: Select[Any], first: FromClause = TranscriptSegment.__table__
) -> Select[Any]:
    return (
        stmt.select_from(first)
        .join(Transcript, Transcript.id == TranscriptSegment.transcript_id)
        .join(Media, Media.id == Transcript.media_id)
        .join(Post, Post.id == Media.post_id)
    )


def _fts_match(table: str, query: SearchQuery) -> TextClause:
    return text(f"{table} MATCH :fts_query").bindparams(fts_query=fts5_match(query))


def _sqlite_post_search(
    query: SearchQuery,
    kind: str,
    fts_table: str,
    document: ColumnElement[Any],
    body: ColumnElement[Any] | InstrumentedAttribute[Any],
) -> Select[Any]:
    """FTS5 trigram MATCH on `fts_table` (rowid: the post's id) ranked by bm25; LIKE alone
    when every term is under 3 characters."""
    if query.indexed_groups:
        score = literal_column(f"-bm25({fts_table})", Float) + _occurrences(
            document, query.scanned_tokens
        )
        fts = table(fts_table, column("rowid"))
        stmt = select(*_columns(kind, body, score)).select_from(
            fts.join(Post, Post.id == fts.c.rowid)
        )
        stmt = stmt.where(_fts_match(fts_table, query))
    else:
        score = _occurrences(document, query.tokens)
        stmt = select(*_columns(kind, body, score)).select_from(Post)
    stmt = _with_owner(stmt)
    if query.scanned_groups:
        stmt = stmt.where(_contains_groups(document, query.scanned_groups, ilike=False))
    return stmt.where(*_sqlite_excluded(fts_table, Post.id, document, query))


def sqlite_posts(query: SearchQuery) -> Select[Any]:
    """Posts' titles and text."""
    document: ColumnElement[Any] = literal_column(
        f"{sqlite_strip('posts.title')} || ' ' || {sqlite_strip('posts.text')}"
    )
    return _sqlite_post_search(query, "post", "fts_posts", document, POST_TEXT)


def sqlite_polls(query: SearchQuery) -> Select[Any]:
    """Posts' polls (question and options); posts without one are not in `fts_polls`."""
    document: ColumnElement[Any] = literal_column(sqlite_strip("posts.poll_text"))
    stmt = _sqlite_post_search(query, "poll", "fts_polls", document, Post.poll_text)
    return stmt.where(Post.poll_text.is_not(None))


def _sqlite_attached(
    query: SearchQuery,
    kind: str,
    fts_name: str,
    model: type[TranscriptSegment] | type[ImageText],
    join: Callable[[Select[Any], FromClause], Select[Any]],
) -> Select[Any]:
    """SQLite: FTS5 trigram MATCH over a text table attached to a post through its media
    (transcript segments, image texts), ranked by bm25; LIKE alone for short terms."""
    document: ColumnElement[Any] = literal_column(sqlite_strip(f"{model.__tablename__}.text"))
    if query.indexed_groups:
        score = literal_column(f"-bm25({fts_name})", Float) + _occurrences(
            document, query.scanned_tokens
        )
        fts = table(fts_name, column("rowid"))
        first = fts.join(model, model.id == fts.c.rowid)
        stmt = join(select(*_columns(kind, model.text, score)), first)
        stmt = stmt.where(_fts_match(fts_name, query))
    else:
        score = _occurrences(document, query.tokens)
        stmt = join(select(*_columns(kind, model.text, score)), model.__table__)
    stmt = _with_owner(stmt)
    if query.scanned_groups:
        stmt = stmt.where(_contains_groups(document, query.scanned_groups, ilike=False))
    return stmt.where(*_sqlite_excluded(fts_name, model.id, document, query))


def sqlite_segments(query: SearchQuery) -> Select[Any]:
    stmt = _sqlite_attached(query, "segment", "fts_segments", TranscriptSegment, _segment_join)
    return stmt.where(TranscriptSegment.is_hallucination.is_(False))


def _pg_tsquery(query: SearchQuery) -> ColumnElement[Any]:
    """Any of the terms as whole words (`simple` config): phrases keep their word order."""
    parts = [func.phraseto_tsquery(literal_column("'simple'"), term) for term in query.tokens]
    combined: ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        combined = combined.op("||")(part)
    return combined


def _pg_score(document: ColumnElement[Any], query: SearchQuery) -> ColumnElement[float]:
    """Whole-word relevance (tsvector, simple config) plus substring occurrences."""
    vector = func.to_tsvector(literal_column("'simple'"), document)
    return func.ts_rank_cd(vector, _pg_tsquery(query)) + 0.1 * _occurrences(document, query.tokens)


def _pg_where(document: ColumnElement[Any], query: SearchQuery) -> list[ColumnElement[bool]]:
    """ILIKE per term (served by the pg_trgm GIN index); NOT ILIKE per excluded term."""
    return [
        _contains_groups(document, query.groups, ilike=True),
        *_contains_none(document, query.excluded, ilike=True),
    ]


def pg_posts(query: SearchQuery) -> Select[Any]:
    """Posts holding the query's terms, ranked by ts_rank_cd and occurrences."""
    document: ColumnElement[Any] = literal_column(pg_post_document("posts"))
    stmt = select(*_columns("post", POST_TEXT, _pg_score(document, query))).select_from(Post)
    return _with_owner(stmt).where(*_pg_where(document, query))


def pg_polls(query: SearchQuery) -> Select[Any]:
    """Posts whose poll (question and options) holds the query's terms."""
    document: ColumnElement[Any] = literal_column(pg_poll_document("posts"))
    stmt = select(*_columns("poll", Post.poll_text, _pg_score(document, query))).select_from(Post)
    return _with_owner(stmt).where(*_pg_where(document, query), Post.poll_text.is_not(None))


def pg_segments(query: SearchQuery) -> Select[Any]:
    document: ColumnElement[Any] = literal_column(pg_segment_document("transcript_segments"))
    score = _pg_score(document, query)
    stmt = _segment_join(select(*_columns("segment", TranscriptSegment.text, score)))
    return _with_owner(stmt).where(
        *_pg_where(document, query), TranscriptSegment.is_hallucination.is_(False)
    )


def _image_join(stmt: Select[Any], first: FromClause = ImageText.__table__) -> Select[Any]:
    return (
        stmt.select_from(first)
        .join(Media, Media.id == ImageText.media_id)
        .join(Post, Post.id == Media.post_id)
    )


def sqlite_images(query: SearchQuery) -> Select[Any]:
    """The text read in images (OCR), as `sqlite_segments` searches transcripts."""
    return _sqlite_attached(query, "image", "fts_images", ImageText, _image_join)


def pg_images(query: SearchQuery) -> Select[Any]:
    document: ColumnElement[Any] = literal_column(pg_image_document("image_texts"))
    stmt = _image_join(select(*_columns("image", ImageText.text, _pg_score(document, query))))
    return _with_owner(stmt).where(*_pg_where(document, query))
