"""``manage.py pilot_report --account SLUG [--since ...] [--until ...] [--csv PATH]``."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._output import refusals_as_command_errors
from accounts.models import Account
from handoffs import metrics


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD.") from None


def _m(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return [line.format(*headers).rstrip(), line.format(*("-" * w for w in widths)),
            *(line.format(*map(str, row)).rstrip() for row in rows)]


def _groups(groups) -> list[str]:
    rows = []
    for group in groups:
        improvement = group.improvement
        faster = "–"
        if improvement is not None:
            faster = f"{improvement.percent:.1f} %"
            if improvement.ci_low_percent is not None:
                faster += f" ({improvement.ci_low_percent:.1f}–{improvement.ci_high_percent:.1f})"
            if improvement.thin:
                faster += " thin"
        rows.append([group.label, group.escalations, _m(group.pick_up.median), _m(group.pick_up.p90),
                     _m(group.first_action.median), _m(group.first_action.p90), group.first_action.pending, faster])
    return _table(["", "escalations", "pick-up med", "p90", "first action med", "p90", "pending",
                   "faster (95 % CI)"], rows)


def report_lines(report: metrics.Report) -> list[str]:
    """The pilot review's text: the headline, then the tables (minutes, one decimal place)."""
    baseline = report.baseline
    lines = [f"Pilot metrics: {report.account.name}, {report.since} to {report.until} ({report.time_zone})", "",
             report.headline]
    if report.thin_statement:
        lines.append(report.thin_statement)
    lines += [f"Baseline: median {_m(baseline.median)} min, p90 {_m(baseline.p90)} min, from {baseline.samples} "
              f"sample{'s' * (baseline.samples != 1)}.",
              f"Cancelled escalations left out: {report.cancelled}. Waiting for a first action: "
              f"{report.overall.first_action.pending} (not counted as zero).", "", "Overall"]
    lines += _groups([report.overall])
    for title, groups in (("By urgency", report.by_urgency), ("By engineer", report.by_engineer),
                          ("By technician", report.by_technician)):
        lines += ["", title, *_groups(groups)]
    lines += ["", "Weekly medians (minutes; weeks start on Monday)"]
    lines += _table(["week of", "escalations", "pick-up", "first action"],
                    [[w.start, w.escalations, _m(w.pick_up.median), _m(w.first_action.median)] for w in report.weeks])
    if report.pending:
        lines += ["", "Waiting for a first action"]
        lines += _table(["escalated", "urgency", "technician", "status", "waiting (min)"],
                        [[row.created_at.astimezone(metrics.compute.zone_of(report.time_zone)).strftime(
                            "%Y-%m-%d %H:%M"), row.urgency, row.technician, row.status,
                          _m(metrics.minutes(row.age_seconds))] for row in report.pending])
    return lines


class Command(BaseCommand):
    help = ("Print the pilot's headline (median time to first action against the manual baseline) and its "
            "tables: overall, by urgency, by engineer, by technician, weekly, and what is still waiting. Dates "
            "are days in the account's time zone; the default range is the last eight weeks. --csv also writes "
            "one line per escalation, the same file as the metrics page's download.")

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, metavar="SLUG", help="The account's slug.")
        parser.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD", help="First day.")
        parser.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD", help="Last day (inclusive).")
        parser.add_argument("--csv", dest="csv_path", default=None, metavar="PATH",
                            help="Also write the escalations as CSV to PATH.")

    def handle(self, *args, account, since, until, csv_path, **options):
        found = Account.objects.filter(slug=account).first()
        if found is None:
            raise CommandError(f"No account has the slug {account!r}.")
        with refusals_as_command_errors():
            report = metrics.pilot_metrics(account=found, since=since, until=until)
        self.stdout.write("\n".join(report_lines(report)))
        if csv_path:
            path = Path(csv_path)
            try:
                path.write_text(metrics.report_csv(report), encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Could not write {path}: {exc.strerror}.") from exc
            self.stderr.write(f"Wrote {len(report.rows)} escalations to {path}.")
