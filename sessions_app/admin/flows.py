"""The flow library in admin: the graph is edited as indented JSON and refused with the same
messages as an import (both run ``validate_graph``, through ``Flow.clean`` here)."""

import io
import json
import zipfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils.html import format_html

from accounts.admin import ServiceAdmin
from accounts.admin.base import BOTH_LOCATIONS

from ..flows.graph import step_counts
from ..flows.library import export_flow_json
from ..models import Flow
from ..services.flows import CONTENT_FIELDS


class GraphField(forms.JSONField):
    """The graph as indented JSON (a runbook is read and edited by people), and a parse error
    that says where it is, as the importer does."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            try:
                json.loads(value, cls=self.decoder)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"Not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
                                      code="invalid") from exc
        return super().to_python(value)


class WordListField(forms.CharField):
    """Tags and keywords as "outlook, email" rather than a JSON list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [item.strip() for item in (super().to_python(value) or "").split(",") if item.strip()]

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class FlowForm(forms.ModelForm):
    graph = GraphField(
        widget=forms.Textarea(attrs={"rows": 32, "cols": 100, "spellcheck": "false",
                                     "style": "font-family: monospace; width: 95%;"}),
        help_text='{"start": step id, "steps": {id: {"type": question | action | resolution, "text", '
                  '"detail", "options": [{"label", "next"}]}}}. A resolution has no options; '
                  '"escalate": true marks a runbook\'s dead end.',
    )
    tags = WordListField(required=False, help_text="Comma-separated categories shown in the library.")
    keywords = WordListField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Comma-separated symptoms, products and error codes the assistant matches on.",
    )

    class Meta:
        model = Flow
        fields = ("account", "name", "slug", "version", "is_active", "description", "tags", "keywords", "graph")
        help_texts = {
            "version": "Saving a change to the name, description, tags, keywords or steps raises it by one. "
                       "Imports replace a flow only with a higher version; running sessions keep theirs.",
        }


class FlowScopeFilter(admin.SimpleListFilter):
    title = "library"
    parameter_name = "library"

    def lookups(self, request, model_admin):
        return [("global", "Global library"), ("account", "Account flows")]

    def queryset(self, request, queryset):
        if self.value() == "global":
            return queryset.filter(account__isnull=True)
        if self.value() == "account":
            return queryset.filter(account__isnull=False)
        return queryset


@admin.register(Flow)
class FlowAdmin(ServiceAdmin):
    form = FlowForm
    list_display = ("name", "slug", "library", "version", "is_active", "step_count", "updated_at")
    list_filter = (FlowScopeFilter, "is_active", "account")
    list_select_related = ("account",)
    search_fields = ("name", "slug", "description", "account__name", "account__slug")
    ordering = ("name", "account__name")
    actions = ["deactivate_flows", "activate_flows", "download_flows"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("library", "steps_summary", "graph_document", "created_at", "updated_at")

    # ---- scope: the staff member's account, plus the global library read-only --------------

    def get_queryset(self, request):
        # Not the mixin's filter: that would hide the global library (account null).
        queryset = Flow.unscoped.select_related("account").order_by(*self.get_ordering(request))
        if self.is_platform_wide(request):
            return queryset
        account_id = self.staff_account_id(request)
        if account_id is None:
            return queryset.filter(account__isnull=True)
        return queryset.filter(Q(account__isnull=True) | Q(account_id=account_id))

    def _may_see(self, request, obj=None) -> bool:
        if self.is_platform_wide(request) or obj is None or obj.account_id is None:
            return True
        return obj.account_id == self.staff_account_id(request)

    def _may_edit(self, request, obj=None) -> bool:
        if self.is_platform_wide(request):
            return True
        account_id = self.staff_account_id(request)
        if obj is None:
            return account_id is not None
        return obj.account_id is not None and obj.account_id == account_id

    def has_add_permission(self, request):
        return self._may_edit(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj) and super().has_change_permission(request, obj)

    # ---- the form ------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        placement = ("account", "slug") if obj is None else ("library", "slug")
        return (
            (None, {"fields": (*placement, "name", "version", "is_active", "description", "tags", "keywords")}),
            ("Steps", {"fields": ("graph",) if editable else ("steps_summary", "graph_document")}),
            *(() if obj is None else (("Record", {"fields": ("created_at", "updated_at")}),)),
        )

    def get_readonly_fields(self, request, obj=None):
        # A flow's place and slug are its identity for imports (a copy elsewhere is an import);
        # its version moves only forward, on save.
        return self.readonly_fields if obj is None else (*self.readonly_fields, "slug", "version")

    def save_model(self, request, obj, form, change):
        # The API's rule (services.flow_update), which platform staff cannot call as they are
        # no admin of the account: a content change raises the version, so a session's
        # flow_version names one graph and re-importing the old file is reported as older.
        if change and set(CONTENT_FIELDS).intersection(form.changed_data):
            stored = Flow.unscoped.select_for_update().only("version").get(pk=obj.pk)
            obj.version = stored.version + 1
            self.message_user(request, f"“{obj.name}” is now version {obj.version}; sessions already running "
                                       "keep the version they started with.", messages.INFO)
        super().save_model(request, obj, form, change)

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "account" and formfield is not None and self.is_platform_wide(request):
            formfield.empty_label = "— Global library —"
        return formfield

    # ---- columns -------------------------------------------------------------------------

    @admin.display(description="Account", ordering="account__name")
    def library(self, obj):
        return obj.account.name if obj.account_id else "Global library"

    @admin.display(description="Steps")
    def step_count(self, obj):
        return len((obj.graph or {}).get("steps") or {})

    @admin.display(description="Outline")
    def steps_summary(self, obj):
        counts = step_counts(obj.graph)
        parts = ", ".join(f"{count} {kind}{'s' if count != 1 else ''}" for kind, count in counts.items())
        return f"{sum(counts.values())} steps ({parts}); starts at “{obj.graph['start']}”."

    @admin.display(description="Graph")
    def graph_document(self, obj):
        return format_html("<pre style=\"white-space: pre-wrap\">{}</pre>",
                           json.dumps(obj.graph, indent=2, ensure_ascii=False))

    # ---- actions -------------------------------------------------------------------------

    def _set_active(self, request, queryset, active: bool, verb: str):
        done, refusals = 0, []
        for flow in queryset:
            if not self.has_change_permission(request, flow):
                refusals.append(f"{flow.name}: the global library is changed only by platform staff.")
                continue
            if flow.is_active != active:
                flow.is_active = active
                flow.save(update_fields=["is_active", "updated_at"])
            done += 1
        self.report(request, done, verb, refusals)

    @admin.action(permissions=["change"], description="Deactivate (hidden from new sessions)",
                  description_plural="Deactivate selected flows (hidden from new sessions)",
                  location=BOTH_LOCATIONS)
    def deactivate_flows(self, request, queryset):
        self._set_active(request, queryset, False, "Deactivated")

    @admin.action(permissions=["change"], description="Activate",
                  description_plural="Activate selected flows", location=BOTH_LOCATIONS)
    def activate_flows(self, request, queryset):
        self._set_active(request, queryset, True, "Activated")

    @admin.action(permissions=["view"], description="Download as JSON",
                  description_plural="Download selected flows as JSON (for load_flows)",
                  location=BOTH_LOCATIONS)
    def download_flows(self, request, queryset):
        flows = list(queryset)
        if len(flows) == 1:
            response = HttpResponse(export_flow_json(flows[0]), content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="{flows[0].slug}.json"'
            return response
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for flow in flows:
                # Two accounts may share a slug; a superuser's download keeps both.
                folder = flow.account.slug if flow.account_id else "global"
                archive.writestr(f"{folder}/{flow.slug}.json", export_flow_json(flow))
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="flows.zip"'
        return response
