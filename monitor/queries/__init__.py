"""Every analyst read the CLI (and later the web app and alerts) makes, returning typed rows.

One module per subject: `posts` (listing, finding one), `history` (one post's versions,
metrics, media), `events` (account events), `hits` (keyword hits and trends), `accounts`,
`status` (counts, runs, queue backlog, jobs), `transcripts`, `selection` (what `--account`,
`--actor` and `--group` name), `audience` and `collection_health` (the web's actor, account
and status pages). Every filter by actor / account / platform / time window goes
through `scope.scoped()`. Full-text search (`monitor.search`) and growth (`monitor.growth`)
keep their dialect-specific statements in their own packages and use the same `scoped()`.
Nothing here writes.
"""
