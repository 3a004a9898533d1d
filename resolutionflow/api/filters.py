"""Query-string filters of every API list, validated in one place.

* ``StrictFilterBackend`` (the default filter backend) answers 400 ``invalid_filter`` naming
  the parameter when a known filter gets a value it cannot use (an unknown choice, a date out
  of range, a NUL character, ``is_active=maybe``), and 400 ``unknown_filter`` for a parameter
  the list does not know: a filter that is silently ignored shows everything. A list that
  reads a parameter of its own (outside its filter set) names it in ``query_parameters``.
* A filter set may declare ``apply_defaults(queryset)`` (a classmethod): its defaults (the queue's
  open and claimed), or the queryset as it is (mix in ``WithoutDefaults``). When a request gives none of the set's
  parameters the backend calls it instead of building the set (issue 9);
  tests/api/test_filter_defaults.py checks each declaring set against what the built set makes.
* ``DateOrInstantFilter`` reads a day (``2026-09-06``: its first real instant in the
  account's time zone, see ``accounts.timezones``), a wall time without an offset (the
  account's), or an instant with an offset; ``StrictBooleanFilter`` takes only true/false
  words.
"""

import datetime
import zoneinfo

from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts import timezones
from accounts.errors import ServiceError

# Query parameters every list takes besides its filters (pagination); ``format`` is allowed
# everywhere by refuse_unknown_parameters itself.
FORMAT_PARAMETER = "format"
COMMON_PARAMETERS = frozenset({"page", "page_size", "cursor"})

# The largest sequence number or id a cursor may name (a signed 64-bit column).
SEQ_MAX = 2**63 - 1

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class DateOrInstantField(forms.Field):
    """``YYYY-MM-DD`` → ``date``; ISO 8601 with an offset → aware ``datetime`` in UTC; without
    an offset → naive ``datetime`` (read in the account's zone by the filter)."""

    default_error_messages = {
        "invalid": "Use a date (2026-09-06) or an ISO 8601 time (2026-09-06T08:30:00+02:00).",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        try:
            if len(value) <= 10:
                day = parse_date(value)
                if day is None:
                    raise ValueError
                timezones.day_start(day, datetime.UTC)  # range check only
                return day
            moment = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
            if moment is None:
                raise ValueError
            if moment.tzinfo is None:
                timezones.local_instant(moment, datetime.UTC)  # range check only
                return moment
            return timezones.bounded_instant(moment)
        except timezones.OutOfRange as exc:
            raise forms.ValidationError(str(exc), code="out_of_range") from None
        except (ValueError, OverflowError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def account_zone(request) -> zoneinfo.ZoneInfo:
    account = getattr(getattr(request, "user", None), "account", None)
    return zoneinfo.ZoneInfo(account.time_zone if account else "UTC")


@extend_schema_field(OpenApiTypes.STR)
class DateOrInstantFilter(filters.Filter):
    """``created_at >= / <`` a day's first real instant in the account's time zone, or an
    instant. A day is 2026-09-06; an instant is ISO 8601 (an offset, or the account's zone)."""

    field_class = DateOrInstantField

    def instant(self, value) -> datetime.datetime:
        zone = account_zone(self.parent.request)
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else timezones.local_instant(value, zone)
        return timezones.day_start(value, zone)

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        return queryset.filter(**{f"{self.field_name}__{self.lookup_expr}": self.instant(value)})


class StrictBooleanField(forms.Field):
    default_error_messages = {"invalid": "Use true or false."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.Filter):
    """A boolean that refuses anything but true/false, 1/0, yes/no, on/off (django-filter's
    own reads an unknown word as "not given")."""

    field_class = StrictBooleanField


def query_int(request, parameter: str, *, low: int, high: int) -> int | None:
    """``?parameter=`` as an int in [low, high] (ASCII digits only), None when absent or empty.

    Raises ``ServiceError`` 400 ``invalid_filter`` naming the parameter."""
    raw = request.query_params.get(parameter)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)) or not low <= int(raw) <= high:
        raise invalid_filter(parameter, f"Use a whole number from {low} to {high}.")
    return int(raw)


def invalid_filter(parameter: str, message: str, code: str = "invalid") -> ServiceError:
    """400 ``invalid_filter`` with ``parameter`` and ``errors`` (``{parameter: [{message, code}]}``)."""
    return ServiceError(f"{parameter}: {message}", code="invalid_filter",
                        extra={"parameter": parameter, "errors": {parameter: [{"message": message, "code": code}]}})


def refuse_unknown_parameters(request, known, *, listed=None, repeatable=frozenset()) -> None:
    """Raise ``ServiceError`` 400 ``unknown_filter`` (naming it) for the first query parameter
    not in ``known`` (``format`` is always known: resolutionflow.api.negotiation answers it);
    the message lists ``listed`` (default: ``known``) as the accepted ones. Then 400
    ``invalid_filter`` (code ``repeated``) for a parameter given more than once that is not in
    ``repeatable`` (the filters that take several values): ``?mode=assistant&mode=flow`` read
    only its last value and listed flow sessions alone. Every list, and every endpoint that
    reads query parameters of its own, calls this."""
    allowed = {*known, FORMAT_PARAMETER}
    for parameter in request.query_params:
        if parameter not in allowed:
            accepted = ", ".join(sorted(known if listed is None else listed)) or "none"
            raise ServiceError(
                f"{parameter}: there is no such parameter here (accepted: {accepted}).",
                code="unknown_filter", extra={"parameter": parameter},
            )
    for parameter, values in request.query_params.lists():
        if len(values) > 1 and parameter not in repeatable:
            raise invalid_filter(parameter, "Give this parameter once: it takes one value.", code="repeated")


class WithoutDefaults:
    """For a filter set with no defaults (mixed in before ``FilterSet``): given none of its
    parameters, the list is the queryset as it is (``apply_defaults``, module docstring)."""

    @classmethod
    def apply_defaults(cls, queryset):
        return queryset


class StrictFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, with every refusal a 400 naming its parameter (module doc)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") not in (None, "list"):
            # An object addressed by id is found whatever the query string says.
            return queryset
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class is not None else set()
        # Parameters a list reads itself (a view's ``query_parameters``, e.g. ``{"after"}``).
        known |= set(getattr(view, "query_parameters", ()))
        repeatable = {name for name, found in (filterset_class.base_filters.items() if filterset_class else ())
                      if issubclass(found.field_class, forms.MultipleChoiceField)}
        refuse_unknown_parameters(request, known | COMMON_PARAMETERS, listed=known, repeatable=repeatable)
        if filterset_class is None:
            return queryset
        apply_defaults = getattr(filterset_class, "apply_defaults", None)
        if apply_defaults is not None and not known & set(request.query_params):
            # Building the set (a deep copy of every filter, and a form) was 0.8 ms of each list
            # request; given none of its parameters it only applies its defaults (issue 9).
            return apply_defaults(queryset)
        filterset = filterset_class(**self.get_filterset_kwargs(request, queryset, view))
        if not filterset.is_valid():
            parameter, errors = next(iter(filterset.form.errors.as_data().items()))
            raise invalid_filter(parameter, errors[0].messages[0], errors[0].code or "invalid")
        return filterset.qs
