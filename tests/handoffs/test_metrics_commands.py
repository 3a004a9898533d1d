"""``record_baseline`` and ``pilot_report``: the same service and the same selector as the page."""

import csv
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from handoffs import metrics, services
from handoffs.models import BaselineSample
from sessions_app import services as session_services
from sessions_app.models import MessageKind
from tests.handoffs.escalations import escalated

T0 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_record_baseline_records_a_sample_and_prints_the_new_baseline(northwind):
    out, _ = run("record_baseline", "--account", "northwind", "--minutes", "27.5", "--note", "T-88",
                 "--date", "2026-10-02")
    sample = BaselineSample.objects.for_account(northwind).get()
    assert (sample.minutes, sample.note, sample.measured_on, sample.recorded_by) == (
        Decimal("27.5"), "T-88", date(2026, 10, 2), None)
    assert out.strip() == ("Recorded 27.5 min measured on 2026-10-02 for Northwind IT. Baseline now: median "
                           "27.5 min from 1 sample.")


@pytest.mark.parametrize(("args", "message"), [
    (["--account", "nobody", "--minutes", "5"], "No account has the slug 'nobody'."),
    (["--account", "northwind", "--minutes", "ten"], "Minutes must be a number, such as 25 or 12.5."),
    (["--account", "northwind", "--minutes", "-2"], "minutes: Ensure this value is greater than or equal to 0."),
    (["--account", "northwind", "--minutes", "5", "--date", "yesterday"], "is not a date"),
])
def test_record_baseline_refuses_bad_input_and_records_nothing(northwind, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        call_command("record_baseline", *args, stdout=StringIO(), stderr=StringIO())
    assert not BaselineSample.unscoped.exists()


@pytest.fixture
def history(northwind, engineer, senior):
    for index in range(3):
        start = T0 + timedelta(hours=index)
        with freeze_time(start):
            handoff = escalated(northwind, engineer)
        with freeze_time(start + timedelta(seconds=30)):
            services.handoff_claim(handoff=handoff, actor=senior)
        handoff.session.refresh_from_db()
        with freeze_time(start + timedelta(seconds=120 * (index + 1))):
            session_services.message_post(session=handoff.session, actor=senior, body="On it", kind=MessageKind.NOTE)
    BaselineSample.unscoped.create(account=northwind, minutes=20)


def test_pilot_report_prints_the_headline_and_the_tables(history, northwind, tmp_path):
    path = tmp_path / "pilot.csv"
    out, err = run("pilot_report", "--account", "northwind", "--since", "2026-11-01", "--until", "2026-11-30",
                   "--csv", str(path))
    report = metrics.pilot_metrics(account=northwind, since=date(2026, 11, 1), until=date(2026, 11, 30))
    lines = out.splitlines()
    assert lines[0] == "Pilot metrics: Northwind IT, 2026-11-01 to 2026-11-30 (UTC)"
    assert lines[2] == report.headline == ("Median time to first action 4 min vs 20 min baseline, 80 % faster, "
                                           "from 3 escalations and 1 baseline sample.")
    assert lines[3] == report.thin_statement
    assert "Baseline: median 20.0 min, p90 20.0 min, from 1 sample." in lines
    for title in ("Overall", "By urgency", "By engineer", "By technician", "Weekly medians"):
        assert any(line.startswith(title) for line in lines), title
    overall = lines[lines.index("Overall") + 3]
    assert overall.split() == ["All", "escalations", "3", "0.5", "0.5", "4.0", "6.0", "0", "80.0", "%", "thin"]
    assert err.strip() == f"Wrote 3 escalations to {path}."
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert [row["first_action_minutes"] for row in rows] == ["2.0", "4.0", "6.0"]


def test_pilot_report_refuses_a_bad_range_and_an_unknown_account(northwind):
    with pytest.raises(CommandError, match="must be on or before"):
        run("pilot_report", "--account", "northwind", "--since", "2026-11-30", "--until", "2026-11-01")
    with pytest.raises(CommandError, match="No account has the slug"):
        run("pilot_report", "--account", "nobody")


def test_pilot_report_says_when_the_csv_cannot_be_written(northwind, tmp_path):
    with pytest.raises(CommandError, match="Could not write"):
        run("pilot_report", "--account", "northwind", "--csv", str(tmp_path / "missing" / "pilot.csv"))
