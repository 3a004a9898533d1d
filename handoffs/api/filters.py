import uuid

from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from handoffs.models import LIVE_STATUSES, Handoff, HandoffStatus, Urgency
from handoffs.selectors import handoff_search
from resolutionflow.api.filters import DateOrInstantFilter
from resolutionflow.search import SEARCH_MAX_LENGTH


class PersonField(forms.CharField):
    """``me`` or a user id."""

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None, "me"):
            return value
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValidationError("Use 'me' or a user id.", code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class PersonFilter(filters.Filter):
    field_class = PersonField

    def filter(self, queryset, value):
        if value in ("", None):
            return queryset
        if value == "me":
            value = self.parent.request.user.pk
        return queryset.filter(**{f"{self.field_name}_id": value})


class HandoffFilter(filters.FilterSet):
    """The queue shows open and claimed escalations unless ``status`` names others; one
    session's escalations (``session``) are all of them unless ``status`` names some."""

    status = filters.MultipleChoiceFilter(
        choices=HandoffStatus.choices, help_text="Repeat for several (default: open and claimed).")
    urgency = filters.MultipleChoiceFilter(choices=Urgency.choices, help_text="Repeat for several.")
    claimed_by = PersonFilter(field_name="claimed_by", help_text="'me' or a user id.")
    requested_by = PersonFilter(field_name="requested_by", help_text="'me' or a user id.")
    created_after = DateOrInstantFilter(
        field_name="created_at", lookup_expr="gte",
        help_text="Escalated at or after: an ISO 8601 time, or a day (its first instant in the account's time zone).")
    created_before = DateOrInstantFilter(
        field_name="created_at", lookup_expr="lt",
        help_text="Escalated before (exclusive): an ISO 8601 time, or a day (its first instant in the account's "
                  "time zone).")
    q = filters.CharFilter(method="search", max_length=SEARCH_MAX_LENGTH,
                           help_text="Words that must all appear in the session's title, client or ticket.")
    session = filters.UUIDFilter(
        field_name="session_id",
        help_text="One session's escalations, of every status unless status names some (another account's "
                  "session finds nothing).")

    class Meta:
        model = Handoff
        fields = ["status", "urgency", "claimed_by", "requested_by", "created_after", "created_before", "q",
                  "session"]

    @classmethod
    def apply_defaults(cls, queryset):
        """The queue's default, open and claimed (resolutionflow.api.filters)."""
        return queryset.filter(status__in=LIVE_STATUSES)

    def search(self, queryset, name, value):
        return handoff_search(queryset, value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status") and not self.form.cleaned_data.get("session"):
            queryset = self.apply_defaults(queryset)
        return queryset
