"""`polmon demo` end to end: the real pipeline on the bundled sample, in a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke, run_polmon


@pytest.mark.slow
def test_demo_runs_the_whole_pipeline_offline(tmp_path: Path) -> None:
    output = tmp_path / "demo"
    result = run_polmon("demo", "--output", str(output), "--json", timeout=600)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["posts"], summary["edited"], summary["deleted"]) == (7, 1, 1)
    assert summary["videos_transcribed"] == 3
    assert summary["media_by_status"] == {"done": 3}
    assert summary["subscribers"] == [852_340, 861_905]
    hits = summary["keyword_hits"]
    assert hits["threats"] >= 3 and hits["opposition"] >= 2 and hits["platforms"] >= 3
    assert summary["transcript_hits"] >= 3  # keywords heard in the videos
    digest = Path(summary["digest"]).read_text(encoding="utf-8")
    assert "Demo Prime Minister" in digest
    assert "<script>alert" not in digest and "&lt;script&gt;alert" in digest
    # The demo's database is a normal polmon database: the analyst commands read it.
    hits_json = invoke(output / "polmon.toml", "hits", "--format", "json")
    assert hits_json.exit_code == 0, hits_json.output
    assert any(h["source"] == "transcript" for h in json.loads(hits_json.stdout))
