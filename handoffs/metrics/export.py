"""The CSV of a report: one line per escalation counted (cancelled ones are left out), with
the times the figures are computed from, so a pilot review can check every number."""

import csv
import io

from accounts.timezones import zone_of

from .compute import Report, minutes

COLUMNS = (
    "escalation_id", "created_at", "urgency", "status", "technician", "engineer",
    "picked_up_at", "picked_up_by", "pick_up_minutes",
    "first_action_at", "first_action_kind", "first_action_by", "first_action_minutes",
    "pending", "waiting_minutes",
)


def csv_filename(report: Report) -> str:
    return f"resolutionflow-metrics-{report.account.slug}-{report.since}-to-{report.until}.csv"


def report_csv(report: Report) -> str:
    """CSV text: a header line (``COLUMNS``), then one line per escalation, oldest first.
    Times are ISO 8601 in the account's time zone; minutes have one decimal place; ``pending``
    is ``pick_up`` (nobody has picked it up), ``first_action`` (picked up, no action yet) or
    empty; ``waiting_minutes`` is a pending escalation's age when the report was made."""
    zone = zone_of(report.time_zone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)

    def when(value):
        return value.astimezone(zone).isoformat(timespec="seconds") if value else ""

    def mins(seconds):
        value = minutes(seconds)
        return "" if value is None else f"{value:.1f}"

    for row in report.rows:
        pending = "pick_up" if row.pending_pick_up else "first_action" if row.pending_action else ""
        writer.writerow([
            row.id, when(row.created_at), row.urgency, row.status, row.technician, row.engineer,
            when(row.picked_up_at), row.picked_up_by, mins(row.pick_up_seconds),
            when(row.first_action_at), row.first_action_kind, row.first_action_by, mins(row.first_action_seconds),
            pending, mins(row.age_seconds),
        ])
    return out.getvalue()
