"""The staff audit log, read-only: every change staff made to a person in this admin."""

from django.contrib import admin

from ..models import StaffAuditEntry
from .base import AccountScopedAdminMixin


@admin.register(StaffAuditEntry)
class StaffAuditEntryAdmin(AccountScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "actor_email", "action", "subject_email", "account", "changes")
    list_filter = ("action", "account")
    list_select_related = ("account",)
    search_fields = ("actor_email", "subject_email")
    ordering = ("-created_at", "-id")
    readonly_fields = ("created_at", "actor", "actor_email", "action", "subject", "subject_email", "account",
                       "changes")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
