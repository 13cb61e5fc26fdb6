"""Audience growth reads: accounts, values at a time, engagement (`data`), rollups (`rollup`)."""
