from django.test import RequestFactory
from django.utils import timezone

from accounts.middleware import AccountTimezoneMiddleware


def test_pages_render_times_in_the_accounts_time_zone(northwind, engineer):
    northwind.time_zone = "Australia/Sydney"
    northwind.save()
    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()

    request = RequestFactory().get("/")
    request.user = engineer
    engineer.account.refresh_from_db()
    AccountTimezoneMiddleware(view)(request)
    assert seen["tz"] == "Australia/Sydney"
    assert timezone.get_current_timezone_name() == "UTC"


def test_anonymous_pages_use_utc(db):
    from django.contrib.auth.models import AnonymousUser

    seen = {}
    request = RequestFactory().get("/login/")
    request.user = AnonymousUser()
    AccountTimezoneMiddleware(lambda r: seen.setdefault("tz", timezone.get_current_timezone_name()))(request)
    assert seen["tz"] == "UTC"
