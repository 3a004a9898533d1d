"""The metrics page in a browser, on the demo pilot ``seed_demo`` loads: the service-desk
manager (a viewer) reads the headline, and an admin downloads the CSV.

The expected figures are worked out here from the seeded rows with ``statistics`` alone,
not with handoffs.metrics."""

import csv
import re
import statistics
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo
from accounts.models import Account, User
from handoffs.demo import BASELINE_MINUTES
from handoffs.models import Handoff

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOT = "/tmp/resolutionflow-metrics-page.png"


@pytest.fixture
def pilot(transactional_db):
    demo.seed()
    account = Account.objects.get(slug="demo")
    zone = ZoneInfo(account.time_zone)
    today = timezone.now().astimezone(zone).date()
    first_day = today - timedelta(days=55)
    counted = [h for h in Handoff.objects.for_account(account).exclude(status="cancelled")
               if h.created_at.astimezone(zone).date() >= first_day]
    waits = [int((h.first_action_at - h.created_at).total_seconds()) for h in counted if h.first_action_at]
    median = (Decimal(statistics.median(waits)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    mondays = {first_day + timedelta(days=n) - timedelta(days=(first_day + timedelta(days=n)).weekday())
               for n in range(56)}
    return {"account": account, "counted": counted, "acted": len(waits), "weeks": len(mondays),
            "median": f"{median:.1f}".removesuffix(".0"),
            "baseline": f"{statistics.median(BASELINE_MINUTES):g}"}


def demo_login(email):
    return User.objects.get(email=email)


def test_the_service_desk_manager_reads_the_headline_and_an_admin_downloads_the_csv(
        page, browser, live_server, log_in, pilot, tmp_path):
    log_in(demo_login("vera.viewer@demo.resolutionflow.test"), password=demo.DEMO_PASSWORD)
    page.get_by_test_id("nav-metrics").click()
    headline = page.get_by_test_id("metrics-headline")
    expect(headline).to_contain_text(
        f"Median time to first action {pilot['median']} min vs {pilot['baseline']} min baseline")
    expect(headline).to_contain_text(re.compile(r"\d+ % faster \(95 % CI \d+–\d+ %\)"))
    expect(headline).to_contain_text(f"from {pilot['acted']} escalations and {len(BASELINE_MINUTES)} baseline samples")
    expect(page.get_by_test_id("metrics-chart")).to_be_visible()
    expect(page.get_by_test_id("metrics-week")).to_have_count(pilot["weeks"])
    expect(page.get_by_test_id("metrics-csv")).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    admin = context.new_page()
    admin.goto("/login/")
    admin.get_by_test_id("login-email").fill("ada.admin@demo.resolutionflow.test")
    admin.get_by_test_id("login-password").fill(demo.DEMO_PASSWORD)
    admin.get_by_test_id("login-submit").click()
    expect(admin).to_have_url(f"{live_server.url}/")
    admin.goto("/metrics/")
    with admin.expect_download() as download:
        admin.get_by_test_id("metrics-csv").click()
    assert download.value.suggested_filename.startswith("resolutionflow-metrics-demo-")
    saved = tmp_path / "metrics.csv"
    download.value.save_as(saved)
    rows = list(csv.DictReader(saved.read_text(encoding="utf-8").splitlines()))
    assert sorted(row["escalation_id"] for row in rows) == sorted(str(h.pk) for h in pilot["counted"])
    assert sum(1 for row in rows if row["first_action_minutes"]) == pilot["acted"]
    context.close()
