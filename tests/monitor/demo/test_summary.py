"""The demo's closing lines name its config and say how to browse it in the web app."""

from __future__ import annotations

from pathlib import Path

from monitor.demo.run import DemoResult
from monitor.demo.summary import summary_text


def test_summary_ends_with_the_commands_to_browse_the_database(tmp_path: Path) -> None:
    config = tmp_path / "demo" / "polmon.toml"
    result = DemoResult(
        output_dir=tmp_path / "demo",
        config_path=config,
        database_url=f"sqlite:///{tmp_path}/demo/polmon.sqlite3",
        digest_path=tmp_path / "demo" / "digest.html",
        summary={
            "subscribers": [850_000, 851_200],
            "keyword_hits": {"threats": 3, "opposition": 1},
            "posts": 12,
            "edited": 1,
            "deleted": 1,
            "videos_transcribed": 2,
            "transcript_hits": 2,
        },
    )
    lines = summary_text(result).splitlines()
    assert "  subscribers:         850,000 → 851,200" in lines
    assert "  keyword hits:        4, 2 of them spoken in videos (opposition 1, threats 3)" in lines
    assert lines[-2] == f"Browse it: polmon --config {config} users add analyst --role admin"
    assert lines[-1].strip().startswith(f"then polmon --config {config} serve")
