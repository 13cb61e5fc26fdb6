"""Audience growth per account and per actor: changes, regular series, flags, engagement, plots."""

from monitor.growth.render import SUMMARY_COLUMNS, report_json, summary_rows
from monitor.growth.report import GrowthReport, growth_report
from monitor.growth.series import INTERVALS, Interval

__all__ = [
    "INTERVALS",
    "SUMMARY_COLUMNS",
    "GrowthReport",
    "Interval",
    "growth_report",
    "report_json",
    "summary_rows",
]
