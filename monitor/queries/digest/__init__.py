"""The digest's reads: new posts, hits, edits, deletions, top posts, events (`content`), audience
(`audience`), collection failures, quiet accounts and the queue (`health`)."""
