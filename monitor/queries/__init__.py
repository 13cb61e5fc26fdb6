"""Every analyst read the CLI (and later the web app and alerts) makes, returning typed rows.

One module per subject: `posts` (listing, finding one), `history` (one post's versions,
metrics, media), `events` (account events), `hits` (keyword hits and trends), `accounts`,
`status` (counts, runs, queue backlog, jobs), `transcripts`, `selection` (what `--account`,
`--actor` and `--group` name), `audience` and `collection_health` (the web's actor, account
and status pages). Every filter by actor / account / platform / time window goes through
`scope.scoped()`. Bigger subjects are packages: `search` (full-text search, with its
dialect-specific statements), `growth` (audience growth), `digest` (the digest's sections);
`summary` counts what the demo prints, `keyword_sources` reads the texts keyword matching
needs. No other module under monitor/ issues SQL. Nothing here writes.
"""
