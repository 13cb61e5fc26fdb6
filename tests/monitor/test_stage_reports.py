"""One StageReport: describe() turns every stage's report into the job log's summary/problem."""

from __future__ import annotations

from pathlib import Path

from monitor.accounts import plan_accounts
from monitor.config import load_config
from monitor.download.report import DownloadReport
from monitor.pass_report import AccountReport, PassReport
from monitor.reports import StageReport
from monitor.tasks import describe
from monitor.transcription.report import TranscribeReport
from tests.conftest import write_config


def test_a_collection_pass_names_its_failed_accounts() -> None:
    report = PassReport(
        [
            AccountReport("telegram", "pm", new=2),
            AccountReport("tiktok", "@x", "failed", error="HTTP 500"),
            AccountReport("youtube", "@y", "partial", new=1),
        ]
    )
    outcome = describe(report)
    assert outcome.summary == ("accounts 3, failed 2, new 3, updated 0, deleted 0, keyword_hits 0")
    assert outcome.problem == "tiktok @x: HTTP 500; youtube @y: partial"
    assert report.handled == 3


def test_a_clean_pass_and_a_missing_report_have_no_problem() -> None:
    assert describe(PassReport([AccountReport("telegram", "pm")])).problem is None
    assert describe(None).summary == "done"


def test_transcription_and_download_reports_are_stage_reports() -> None:
    transcribed = TranscribeReport(done=2, failed=1, audio_seconds=120.0, processing_seconds=30.0)
    downloaded = DownloadReport(downloaded=1, failures=[(7, "retrying", "HTTP 503")], retrying=1)
    reports: list[StageReport] = [transcribed, downloaded]
    outcomes = [describe(report) for report in reports]
    assert outcomes[0].summary == (
        "2 transcribed, 1 failed; 2.0 min of audio, real-time factor 0.25"
    )
    assert outcomes[1].summary == (
        "downloaded 1, duplicates 0, skipped 0, failed 0, to retry later 1"
    )
    assert [outcome.problem for outcome in outcomes] == [None, None]
    assert [report.handled for report in reports] == [3, 2]


def test_the_account_plan_carries_video_urls_without_a_database(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            None,
            """
[[actors]]
name = "Hun Manet"

[[actors.accounts]]
platform = "facebook"
url = "https://www.facebook.com/hunmanet5"
video_urls = ["https://www.facebook.com/watch/?v=1"]

[[actors.accounts]]
platform = "telegram"
handle = "hunmanet"
""",
        )
    )
    plan = plan_accounts(config)
    [actor] = plan.actors
    assert [(a.platform, a.handle) for a in actor.accounts] == [
        ("facebook", "facebook.com/hunmanet5"),
        ("telegram", "hunmanet"),
    ]
    assert plan.extra_urls("facebook", "facebook.com/hunmanet5") == (
        "https://www.facebook.com/watch/?v=1",
    )
    assert plan.extra_urls("telegram", "hunmanet") == ()
