"""The metrics page: everyone in the account reads it (viewers are the service-desk managers),
admins download the CSV and keep the baseline, anonymous visitors are sent to log in, and
another account's sample is a 404; refusals change nothing."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from accounts.models import User
from handoffs import metrics, services
from handoffs.models import BaselineSample
from sessions_app import services as session_services
from sessions_app.models import MessageKind

from .escalations import escalated

T0 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
RANGE = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def history(northwind, engineer, senior):
    """Twelve escalations Sam acted on 3 to 8.5 minutes after they were raised, one still
    open, and a baseline of four samples (median 40 min)."""
    for index in range(12):
        start = T0 + timedelta(hours=index)
        with freeze_time(start):
            handoff = escalated(northwind, engineer, urgency="high" if index % 3 == 0 else "normal")
        with freeze_time(start + timedelta(minutes=1)):
            services.handoff_claim(handoff=handoff, actor=senior)
        handoff.session.refresh_from_db()
        with freeze_time(start + timedelta(seconds=180 + 30 * index)):
            session_services.message_post(session=handoff.session, actor=senior, body="On it", kind=MessageKind.NOTE)
    with freeze_time(T0 + timedelta(days=1)):
        escalated(northwind, engineer, title="Still waiting")
    for minutes in (30, 38, 42, 55):
        BaselineSample.unscoped.create(account=northwind, minutes=minutes, measured_on=date(2026, 9, 1),
                                       note="before the pilot")


@pytest.fixture
def foreign_sample(outsider):
    return BaselineSample.unscoped.create(account=outsider, minutes=99, note="Contoso's own")


def samples(account):
    return sorted(BaselineSample.objects.for_account(account).values_list("minutes", "note"))


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior", "admin"])
def test_everyone_in_the_account_reads_the_headline_chart_and_tables(client, personas, persona, history, northwind):
    client.force_login(personas[persona])
    response = client.get("/metrics/", RANGE)
    assert response.status_code == 200
    report = metrics.pilot_metrics(account=northwind, since=date(2026, 11, 1), until=date(2026, 11, 30))
    assert report.headline.startswith("Median time to first action 5.8 min vs 40 min baseline, 86 % faster (95 % CI")
    page = response.text
    assert f'data-testid="metrics-headline">{report.headline}</h1>' in page
    assert 'data-testid="metrics-chart"' in page and 'data-testid="metrics-chart-baseline"' in page
    assert page.count('data-testid="metrics-week"') == len(report.weeks) == 6  # from Sunday 1 Nov to Monday 30 Nov
    assert 'data-testid="metrics-by-urgency"' in page and 'data-testid="metrics-by-engineer"' in page
    assert "A release and a second claim do not reset it." in page
    assert page.count('data-testid="metrics-pending-item"') == 1  # the open one, from 11 Nov
    assert ('data-testid="metrics-csv"' in page) is (persona == "admin")
    assert ('data-testid="baseline-form"' in page) is (persona == "admin")
    assert ('data-testid="nav-metrics"' in page)


def test_the_pending_escalation_shows_its_age_and_is_not_counted(client, viewer, history, northwind):
    client.force_login(viewer)
    with freeze_time(T0 + timedelta(days=1, minutes=42)):
        page = client.get("/metrics/", {"since": "2026-11-11", "until": "2026-11-11"}).text
    assert page.count('data-testid="metrics-pending-item"') == 1
    assert "not picked up · waiting 42 min" in page
    assert "No escalation in this range has had a first action yet (1 pending)." in page


def test_a_thin_range_says_it_is_too_thin(client, viewer, history):
    client.force_login(viewer)
    page = client.get("/metrics/", {"since": "2026-11-10", "until": "2026-11-10"}).text
    assert 'data-testid="metrics-thin"' not in page  # all twelve fall on 10 Nov
    page = client.get("/metrics/", {"since": "2026-11-09", "until": "2026-11-09"}).text
    assert "Too few escalations to compare with the baseline" in page


@pytest.mark.parametrize("query", [{"since": "2026-11-30", "until": "2026-11-01"}, {"since": "someday"},
                                   {"since": "2024-12-31", "until": "2026-01-01"}])
def test_a_bad_range_is_a_400_that_says_why_and_still_shows_the_default(client, viewer, query):
    client.force_login(viewer)
    response = client.get("/metrics/", query)
    assert response.status_code == 400
    assert 'data-testid="metrics-range-error"' in response.text
    assert 'data-testid="metrics-headline"' in response.text


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in ("/metrics/", "/metrics/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/")
    response = client.post("/metrics/baseline/", {"minutes": "10"})
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not BaselineSample.unscoped.exists()


def test_platform_staff_without_an_account_get_a_403(client, db):
    staff = User.objects.create_user(email="staff@platform.test", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/metrics/").status_code == 403
    assert client.get("/metrics/export.csv").status_code == 403


def test_the_outsider_sees_only_their_own_accounts_figures(client, outsider_admin, history, foreign_sample):
    client.force_login(outsider_admin)
    page = client.get("/metrics/", RANGE).text
    assert "No escalation in this range has had a first action yet." in page
    assert 'data-testid="metrics-baseline-count">1<' in page
    assert "before the pilot" not in page and "Still waiting" not in page
    rows = list(csv.reader(io.StringIO(client.get("/metrics/export.csv", RANGE).content.decode())))
    assert len(rows) == 1  # the header only


def test_an_admin_downloads_the_csv_with_one_line_per_escalation(client, admin_user, history, northwind):
    client.force_login(admin_user)
    response = client.get("/metrics/export.csv", RANGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="resolutionflow-metrics-northwind-2026-11-01-to-2026-11-30.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 13
    acted = [row for row in rows if row["first_action_minutes"]]
    assert sorted(Decimal(row["first_action_minutes"]) for row in acted)[:3] == [Decimal("3.0"), Decimal("3.5"),
                                                                                 Decimal("4.0")]
    assert {row["pick_up_minutes"] for row in acted} == {"1.0"}
    assert acted[0]["created_at"] == "2026-11-10T10:00:00+00:00" and acted[0]["first_action_kind"] == "note"
    waiting = [row for row in rows if row["pending"]]
    assert [(row["pending"], row["status"]) for row in waiting] == [("pick_up", "open")]


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior"])
def test_only_admins_download_the_csv(client, personas, persona, history):
    client.force_login(personas[persona])
    response = client.get("/metrics/export.csv", RANGE)
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.text


def test_a_bad_range_for_the_csv_is_a_400(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/metrics/export.csv", {"since": "2026-11-30", "until": "2026-11-01"}).status_code == 400
    assert client.get("/metrics/export.csv", {"since": "nope"}).status_code == 400


def test_an_admin_records_a_baseline_sample_on_the_page(client, admin_user, northwind):
    client.force_login(admin_user)
    response = client.post("/metrics/baseline/", {"minutes": "27.5", "measured_on": "2026-10-02",
                                                  "note": "T-88, phone round"})
    assert response.status_code == 302 and response.url == "/metrics/#baseline"
    sample = BaselineSample.objects.for_account(northwind).get()
    assert (sample.minutes, sample.measured_on, sample.note, sample.recorded_by) == (
        Decimal("27.5"), date(2026, 10, 2), "T-88, phone round", admin_user)
    page = client.get("/metrics/").text
    assert 'data-testid="metrics-baseline-median">27.5<' in page
    assert "Baseline sample of 27.5 min recorded." in page


@pytest.mark.parametrize("form", [{"minutes": "-1"}, {"minutes": "10081"}, {"minutes": "ten"}, {},
                                  {"minutes": "5", "measured_on": "2026-02-30"}, {"minutes": "5", "note": "x" * 501}])
def test_bad_baseline_input_is_a_400_that_records_nothing(client, admin_user, northwind, form):
    client.force_login(admin_user)
    response = client.post("/metrics/baseline/", form)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert not BaselineSample.unscoped.exists()


@pytest.mark.parametrize("persona", ["viewer", "engineer", "senior"])
def test_non_admins_cannot_record_or_delete_baseline_samples(client, personas, persona, northwind):
    sample = BaselineSample.unscoped.create(account=northwind, minutes=31, note="kept")
    client.force_login(personas[persona])
    assert client.post("/metrics/baseline/", {"minutes": "1"}).status_code == 403
    assert client.post(f"/metrics/baseline/{sample.pk}/delete/").status_code == 403
    assert samples(northwind) == [(Decimal("31.0"), "kept")]


def test_an_admin_deletes_a_sample_on_the_page(client, admin_user, northwind):
    sample = BaselineSample.unscoped.create(account=northwind, minutes=31, note="typo")
    client.force_login(admin_user)
    response = client.post(f"/metrics/baseline/{sample.pk}/delete/")
    assert response.status_code == 302
    assert samples(northwind) == []


def test_another_accounts_sample_is_a_404_and_stays(client, admin_user, foreign_sample):
    client.force_login(admin_user)
    assert client.post(f"/metrics/baseline/{foreign_sample.pk}/delete/").status_code == 404
    assert samples(foreign_sample.account) == [(Decimal("99.0"), "Contoso's own")]


def test_the_page_answers_get_only_and_the_forms_post_only(client, admin_user):
    client.force_login(admin_user)
    assert client.post("/metrics/").status_code == 405
    assert client.get("/metrics/baseline/").status_code == 405
