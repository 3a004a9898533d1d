"""Accounts (tenants): superusers add them; account staff edit their own settings."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from .. import services
from ..models import Account
from .base import ServiceAdmin, ServiceForm


class AccountAddForm(ServiceForm):
    class Meta:
        model = Account
        fields = ("name", "slug", "time_zone")
        help_texts = {"slug": "Leave empty to make one from the name."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def call_service(self):
        data = self.cleaned_data
        return services.account_create(name=data["name"], slug=data["slug"] or None,
                                       time_zone=data["time_zone"])


@admin.register(Account)
class AccountAdmin(ServiceAdmin):
    account_path = "pk"
    list_display = ("name", "slug", "time_zone", "unclaimed_alert_minutes", "members", "created_at")
    list_filter = ("time_zone", "created_at")
    search_fields = ("name", "slug")
    ordering = ("name",)
    readonly_fields = ("id", "slug", "created_at", "members")
    fieldsets = (
        (None, {"fields": ("name", "slug", "time_zone", "unclaimed_alert_minutes")}),
        ("Record", {"fields": ("id", "members", "created_at")}),
    )
    add_fieldsets = ((None, {"fields": ("name", "slug", "time_zone")}),)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("users"))

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = AccountAddForm
        return super().get_form(request, obj, **kwargs)

    def has_add_permission(self, request):
        # Staff of one account could not even see a second one: new pilots are platform work.
        return request.user.is_superuser and super().has_add_permission(request)

    @admin.display(description="Members", ordering="member_count")
    def members(self, obj):
        count = getattr(obj, "member_count", None)
        if count is None:
            count = obj.users.count()
        url = reverse("admin:accounts_user_changelist") + f"?account__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    # Settings changes save through the form: account_update adds only an admin-of-the-account
    # check (which platform staff do not pass) to the model's own validators, which the form runs.
