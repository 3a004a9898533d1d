"""Django admin for escalations: read-only records (state changes belong to the people in the
product, through the services), and the manual baseline, added through its service."""

from django.contrib import admin
from django.utils import timezone
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from accounts.admin import AccountScopedAdminMixin, ServiceAdmin, ServiceForm
from accounts.admin.base import BOTH_LOCATIONS
from accounts.errors import ServiceError

from . import deliveries, services
from .models import BaselineSample, Delivery, Handoff, HandoffEvent


def _minutes(start, end) -> str:
    if not (start and end):
        return "—"
    return f"{(end - start).total_seconds() / 60:.1f} min"


class HandoffEventInline(admin.TabularInline):
    model = HandoffEvent
    fields = ("id", "kind", "actor", "created_at", "payload")
    readonly_fields = fields
    ordering = ("id",)
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Handoff)
class HandoffAdmin(AccountScopedAdminMixin, admin.ModelAdmin):
    """The audit view of escalations. Nothing here changes one: an admin page that claimed or
    closed escalations would bypass the rules (who may claim, the one-winner claim)."""

    list_display = ("session", "account", "status", "urgency", "requested_by", "claimed_by", "created_at",
                    "waited", "time_to_first_action", "alerted_at")
    list_filter = ("status", "urgency", "account", "created_at")
    list_select_related = ("session", "account", "requested_by", "claimed_by")
    search_fields = ("session__title", "session__client_name", "session__ticket_ref", "note",
                     "requested_by__email", "claimed_by__email")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [HandoffEventInline]
    fieldsets = (
        (None, {"fields": ("account", "session", "status", "urgency", "note")}),
        ("People", {"fields": ("requested_by", "handed_off_by", "claimed_by")}),
        ("Times", {"fields": ("created_at", "claimed_at", "first_action_at", "first_action_kind", "alerted_at",
                              "closed_at", "waited", "time_to_first_action")}),
        ("Outcome", {"fields": ("closing_note",)}),
        ("Context at escalation", {"fields": ("summary", "context"), "classes": ("collapse",)}),
    )
    readonly_fields = ("account", "session", "status", "urgency", "note", "requested_by", "handed_off_by",
                       "claimed_by", "created_at", "claimed_at", "first_action_at", "first_action_kind",
                       "alerted_at", "closed_at", "waited", "time_to_first_action", "closing_note", "summary",
                       "context")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewable (the change page renders read-only), never saved.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Waited")
    def waited(self, obj):
        """Until picked up, or until now for one still open."""
        end = obj.claimed_at or obj.closed_at or (timezone.now() if obj.is_live else None)
        return _minutes(obj.created_at, end)

    @admin.display(description="To first action")
    def time_to_first_action(self, obj):
        return _minutes(obj.created_at, obj.first_action_at)

    @admin.display(description="Summary")
    def summary(self, obj):
        return (obj.context or {}).get("summary", "")


class BaselineSampleAddForm(ServiceForm):
    class Meta:
        model = BaselineSample
        fields = ("account", "minutes", "measured_on", "note")

    def call_service(self):
        data = self.cleaned_data
        # Platform staff are not admins of the account: the platform path.
        return services.baseline_sample_create(account=data["account"], actor=None, minutes=data["minutes"],
                                               note=data["note"], measured_on=data["measured_on"])


@admin.register(BaselineSample)
class BaselineSampleAdmin(ServiceAdmin):
    list_display = ("measured_on", "account", "minutes", "note", "recorded_by", "created_at")
    list_filter = ("account", "measured_on")
    list_select_related = ("account", "recorded_by")
    search_fields = ("note", "account__name")
    ordering = ("-measured_on", "-created_at")
    readonly_fields = ("account", "minutes", "measured_on", "note", "recorded_by", "created_at")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BaselineSampleAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return BaselineSampleAddForm.Meta.fields if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # A measurement is recorded or deleted, not edited.
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Delivery)
class DeliveryAdmin(AccountScopedAdminMixin, admin.ModelAdmin):
    """Webhook POSTs and notification emails with their status and tries; a failed one can be
    re-sent (same delivery id) through the service. Nothing else is editable."""

    list_display = ("created_at", "account", "kind", "topic", "target", "status", "tries", "last_status_code",
                    "short_error", "next_attempt_at")
    list_filter = ("status", "kind", "account", "created_at")
    list_select_related = ("account",)
    search_fields = ("id", "topic", "target", "subject", "last_error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ["resend"]
    fields = ("id", "account", "kind", "event", "topic", "target", "subject", "status", "attempts", "max_attempts",
              "last_status_code", "last_error", "next_attempt_at", "delivered_at", "created_at", "updated_at", "body")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Tries")
    def tries(self, obj):
        return f"{obj.attempts} of {obj.max_attempts}"

    @admin.display(description="Last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(permissions=["change"], description="Re-send",
                  description_plural="Re-send selected failed deliveries", location=BOTH_LOCATIONS)
    def resend(self, request, queryset):
        # Superusers act for the platform; account staff act as themselves (admins of the account).
        actor = None if request.user.is_superuser else request.user
        done, refusals = 0, []
        for delivery in queryset.select_related("account"):
            try:
                deliveries.delivery_resend(delivery=delivery, actor=actor)
            except ServiceError as exc:
                refusals.append(f"{delivery}: {exc.detail}")
            else:
                done += 1
        noun = "delivery" if done == 1 else "deliveries"
        if done:
            self.message_user(request, f"Re-sent {done} {noun}.")
        for refusal in refusals:
            self.message_user(request, refusal, level="warning")


# django-tasks-db's task rows span every account: platform (superuser) eyes only.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class PlatformTaskResultAdmin(DBTaskResultAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
