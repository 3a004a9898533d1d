import zoneinfo

from django.utils import timezone


class AccountTimezoneMiddleware:
    """Pages show times in the signed-in user's account time zone (docs/architecture.md#domain-and-state-machine)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        account = getattr(user, "account", None) if user is not None and user.is_authenticated else None
        if account is not None:
            timezone.activate(zoneinfo.ZoneInfo(account.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
