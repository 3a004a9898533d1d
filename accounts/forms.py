"""Forms of the account pages. They check the shape of the input; the rules (who may, what is
allowed, password strength) are the services' and are shown here when a service refuses."""

import functools
import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator, MinValueValidator

from .models import Account, Role


class _PlainLabels:
    """Labels without Django's trailing colon, like the rest of the pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EmailAuthenticationForm(_PlainLabels, AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "data-testid": "login-email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "data-testid": "login-password"}),
    )


class AcceptInvitationForm(_PlainLabels, forms.Form):
    display_name = forms.CharField(
        label="Your name",
        max_length=120,
        help_text="How your colleagues see you in ResolutionFlow.",
        widget=forms.TextInput(attrs={"autocomplete": "name", "autofocus": True, "data-testid": "accept-name"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=password_validation.password_validators_help_text_html,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-testid": "accept-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-testid": "accept-password2"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password2") and cleaned["password"] != cleaned["password2"]:
            self.add_error("password2", "The two passwords differ; type the same password twice.")
        return cleaned


class InvitationForm(_PlainLabels, forms.Form):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "data-testid": "invite-email"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.ENGINEER,
        widget=forms.Select(attrs={"data-testid": "invite-role"}),
    )


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class UserActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(
        choices=[("true", "Active"), ("false", "Deactivated")], coerce=lambda value: value == "true"
    )


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _limit(model, field_name, validator_class):
    """A bound the model enforces, repeated as a browser hint only (the model stays the judge)."""
    field = model._meta.get_field(field_name)
    return next(v.limit_value for v in field.validators if type(v) is validator_class)


class AccountSettingsForm(_PlainLabels, forms.Form):
    """The account's settings. Ranges and time zones are the model's to judge (through
    ``services.account_update``); the widgets only carry them as hints for the browser."""

    name = forms.CharField(
        label="Account name",
        max_length=120,
        widget=forms.TextInput(attrs={"data-testid": "settings-name"}),
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Dates and weeks on pages and reports use this time zone.",
        widget=forms.Select(attrs={"data-testid": "settings-time-zone"}),
    )
    unclaimed_alert_minutes = forms.IntegerField(
        label="Unclaimed escalation alert (minutes)",
        help_text=Account._meta.get_field("unclaimed_alert_minutes").help_text,
        widget=forms.NumberInput(attrs={
            "data-testid": "settings-alert-minutes",
            "min": _limit(Account, "unclaimed_alert_minutes", MinValueValidator),
            "max": _limit(Account, "unclaimed_alert_minutes", MaxValueValidator),
        }),
    )

    @classmethod
    def for_account(cls, account: Account, data=None):
        initial = {"name": account.name, "time_zone": account.time_zone,
                   "unclaimed_alert_minutes": account.unclaimed_alert_minutes}
        return cls(data, initial=initial)
