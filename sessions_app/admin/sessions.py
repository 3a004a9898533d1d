"""Troubleshooting sessions in admin, read-only.

A session changes only through the services, which act for a member of its account (the
owner, an admin, the engineer holding its escalation); platform staff are none of these, so
admin shows sessions, their transcript, facts and fixes, and the ticket note, and edits
nothing. Deleting one stays with superusers (``ServiceAdmin``).
"""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from accounts.admin import ServiceAdmin

from ..models import Fact, Fix, Message, SessionMode, TroubleshootingSession
from ..services import session_preview


class SessionChildInline(admin.TabularInline):
    """A read-only list of one kind of a session's rows; shown to whoever may see the session."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return self.admin_site.get_model_admin(self.parent_model).has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FactInline(SessionChildInline):
    model = Fact
    fields = ("key", "value", "source", "author", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class FixInline(SessionChildInline):
    model = Fix
    verbose_name_plural = "fixes"
    fields = ("title", "status", "outcome_note", "source", "proposed_by", "outcome_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposed_by")


class MessageInline(SessionChildInline):
    model = Message
    verbose_name = "transcript line"
    verbose_name_plural = "transcript"
    fields = ("created_at", "kind", "author", "body")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(TroubleshootingSession)
class TroubleshootingSessionAdmin(ServiceAdmin):
    account_path = "account"
    list_display = ("title", "account", "owner", "mode", "status", "client_name", "ticket_ref", "updated_at")
    list_filter = ("status", "mode", "account", ("owner", admin.RelatedOnlyFieldListFilter),
                   ("flow", admin.RelatedOnlyFieldListFilter), "updated_at")
    list_select_related = ("account", "owner")
    search_fields = ("title", "problem", "client_name", "ticket_ref", "resolution", "owner__email",
                     "owner__display_name", "account__name")
    ordering = ("-updated_at",)
    date_hierarchy = "created_at"
    inlines = [FactInline, FixInline, MessageInline]
    readonly_fields = ("flow_path", "ticket_note")
    base_fieldsets = (
        (None, {"fields": ("title", "account", "owner", "mode", "status", "assignee")}),
        ("Problem", {"fields": ("problem", "client_name", "ticket_ref")}),
        ("Outcome", {"fields": ("resolution", "resolved_at")}),
        ("Ticket note", {"fields": ("ticket_note",)}),
        ("Record", {"fields": ("id", "created_at", "updated_at")}),
    )
    flow_fieldset = ("FlowPilot", {"fields": ("flow", "flow_version", "current_step", "flow_path")})

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.mode == SessionMode.FLOW:
            return (*self.base_fieldsets[:2], self.flow_fieldset, *self.base_fieldsets[2:])
        return self.base_fieldsets

    def has_add_permission(self, request):
        return False  # sessions start in the product, through session_create

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Path so far")
    def flow_path(self, obj):
        steps = (obj.flow_graph or {}).get("steps", {})
        if not obj.path:
            return "No step answered yet."
        return format_html("<ol>{}</ol>", format_html_join(
            "", "<li>{} → <strong>{}</strong></li>",
            ((steps.get(item["step"], {}).get("text", item["step"]), item["option"]) for item in obj.path),
        ))

    @admin.display(description="Ticket note")
    def ticket_note(self, obj):
        return format_html("<pre style=\"white-space: pre-wrap\">{}</pre>", session_preview(session=obj).text)
