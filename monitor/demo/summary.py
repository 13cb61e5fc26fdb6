"""The demo's closing summary: what it stored, and the commands to look at it next."""

from __future__ import annotations

from monitor.demo.run import DemoResult


def summary_text(result: DemoResult) -> str:
    """The lines `polmon demo` prints: counts, where things are, what to try, how to browse."""
    summary = result.summary
    followers = summary["subscribers"]
    growth = f"{followers[0]:,} → {followers[-1]:,}" if len(followers) > 1 else "n/a"
    hits = ", ".join(f"{group} {count}" for group, count in sorted(summary["keyword_hits"].items()))
    config = result.config_path
    return "\n".join(
        [
            "polmon demo: two passes over a sample channel served on 127.0.0.1",
            f"  posts stored:        {summary['posts']} "
            f"({summary['edited']} edited, {summary['deleted']} deleted, text kept)",
            f"  videos transcribed:  {summary['videos_transcribed']}",
            f"  keyword hits:        {sum(summary['keyword_hits'].values())}, "
            f"{summary['transcript_hits']} of them spoken in videos ({hits or 'none'})",
            f"  subscribers:         {growth}",
            f"  config:              {config}",
            f"  database:            {result.database_url}",
            f"  digest:              {result.digest_path}",
            f"Try: polmon --config {config} hits",
            f"Browse it: polmon --config {config} users add analyst --role admin",
            f"      then polmon --config {config} serve   (http://127.0.0.1:8080)",
        ]
    )
