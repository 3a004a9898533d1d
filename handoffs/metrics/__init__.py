"""Pilot metrics (issue 10): time to pick-up and time to first action against the manual
baseline. ``compute`` is the one selector every surface uses (the page, the API, the CSV,
``pilot_report``); ``chart`` draws the weekly medians as SVG; ``export`` writes the CSV."""

from .compute import (
    BOOTSTRAP_SEED,
    THIN_BELOW,
    Report,
    handoff_times,
    metrics_range,
    minutes,
    pilot_metrics,
)
from .export import csv_filename, report_csv

__all__ = ["BOOTSTRAP_SEED", "THIN_BELOW", "Report", "csv_filename", "handoff_times", "metrics_range", "minutes",
           "pilot_metrics", "report_csv"]
