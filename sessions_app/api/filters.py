"""Query filters of the sessions and flows lists.

The Session History rules (what ``owner=me`` means, which fields ``q`` searches) live in
``selectors.session_search``, shared with the pages; the filter set here validates the
parameters, documents them, and adds the date range the API offers.
"""

import json
import uuid

from django import forms
from django_filters import rest_framework as filters

from resolutionflow.api.filters import DateOrInstantFilter, StrictBooleanFilter, WithoutDefaults
from resolutionflow.search import SEARCH_MAX_LENGTH, every_word
from sessions_app import selectors
from sessions_app.models import Fact, Fix, Flow, Message, SessionMode, SessionStatus, TroubleshootingSession


class OwnerField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in ("", None, "me"):
            return value
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise forms.ValidationError("Use me or a user id.", code="invalid") from None


class OwnerFilter(filters.CharFilter):
    field_class = OwnerField


class SessionFilter(WithoutDefaults, filters.FilterSet):
    mode = filters.ChoiceFilter(choices=SessionMode.choices)
    status = filters.ChoiceFilter(choices=SessionStatus.choices)
    owner = OwnerFilter(help_text="`me`, or the id of a user of the account.")
    client = filters.CharFilter(max_length=SEARCH_MAX_LENGTH, help_text="Part of the client name.")
    q = filters.CharFilter(max_length=SEARCH_MAX_LENGTH, help_text=(
        "Words that must all appear, in any order, in the title, problem, ticket, client or resolution."))
    created_after = DateOrInstantFilter(
        field_name="created_at", lookup_expr="gte",
        help_text="Created at or after this time (a date means its first instant in the account's time zone).",
    )
    created_before = DateOrInstantFilter(
        field_name="created_at", lookup_expr="lt",
        help_text="Created before this time (exclusive; a date means its first instant in the account's time zone).",
    )

    class Meta:
        model = TroubleshootingSession
        fields: list[str] = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        user = self.request.user
        history = {name: data.get(name) or None for name in ("mode", "status", "owner", "client", "q")}
        if any(history.values()):
            matching = selectors.session_search(account=user.account, user=user, **history)
            queryset = queryset.filter(pk__in=matching.values("pk"))
        for name in ("created_after", "created_before"):
            queryset = self.filters[name].filter(queryset, data.get(name))
        return queryset


class FlowFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=SEARCH_MAX_LENGTH,
                           help_text="Words that must all appear, in any order, in the name, description, slug or "
                                     "keywords.")
    tag = filters.CharFilter(method="filter_tag", help_text="Flows carrying this tag (exact, any case).")
    include_inactive = StrictBooleanFilter(
        method="filter_include_inactive", help_text="Also list switched-off flows (admins re-enable them)."
    )

    class Meta:
        model = Flow
        fields: list[str] = []

    @classmethod
    def apply_defaults(cls, queryset):
        """Switched-off runbooks hidden (resolutionflow.api.filters)."""
        return queryset.filter(is_active=True)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("include_inactive"):
            queryset = self.apply_defaults(queryset)
        return super().filter_queryset(queryset)

    def filter_q(self, queryset, name, value: str):
        return every_word(queryset, value, ("name", "description", "slug", "keywords"))

    def filter_tag(self, queryset, name, value: str):
        # Matches the quoted JSON string inside the list's text on SQLite and PostgreSQL alike
        # (``contains`` on a JSON list is PostgreSQL-only).
        return queryset.filter(tags__icontains=json.dumps(value.strip()))

    def filter_include_inactive(self, queryset, name, value: bool):
        return queryset  # applied in filter_queryset: the default (absent) must hide them too


# ---- incremental loading of one session's items -------------------------------------------------

def _since(field: str, what: str):
    # Documented in the views' schema (sessions_app.api.views.session_items.since).
    return DateOrInstantFilter(field_name=field, lookup_expr="gt", help_text=f"{what} strictly after this instant")


class MessageFilter(WithoutDefaults, filters.FilterSet):
    """Messages are never edited: ``since`` compares their ``created_at``."""

    since = _since("created_at", "posted")

    class Meta:
        model = Message
        fields: list[str] = []


class FactFilter(WithoutDefaults, filters.FilterSet):
    """Facts change in place: ``since`` compares ``updated_at`` (a deleted fact is not listed;
    the session socket's ``session.changed`` names the ``facts`` region when one goes)."""

    since = _since("updated_at", "set or changed")

    class Meta:
        model = Fact
        fields: list[str] = []


class FixFilter(WithoutDefaults, filters.FilterSet):
    """Fixes move through their statuses: ``since`` compares ``updated_at``."""

    since = _since("updated_at", "proposed or changed")

    class Meta:
        model = Fix
        fields: list[str] = []
