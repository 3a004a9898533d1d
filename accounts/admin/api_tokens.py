"""API keys: issued and revoked through the services; the key is shown once."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from .. import services
from ..models import ApiToken, User
from ..rules import may_handle_credentials_of
from .base import BOTH_LOCATIONS, ServiceAdmin, ServiceForm


class ApiTokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        conditions = {
            "active": Q(revoked_at=None, expires_at__gt=now),
            "expired": Q(revoked_at=None, expires_at__lte=now),
            "revoked": ~Q(revoked_at=None),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class ApiTokenAddForm(ServiceForm):
    ttl_days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=365,
                                  initial=settings.API_TOKEN_TTL_DAYS)

    class Meta:
        model = ApiToken
        fields = ("user", "name")

    def call_service(self):
        data = self.cleaned_data
        issued = services.api_token_create(user=data["user"], name=data["name"], ttl_days=data["ttl_days"])
        self.success_message = (f"API key for {issued.token.user.email}, shown only now, copy it: "
                                f"{issued.key}")
        return issued.token


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceAdmin):
    account_path = "user__account"
    list_display = ("key_prefix", "name", "user", "account", "status", "created_at", "expires_at",
                    "last_used_at")
    list_filter = (ApiTokenStatusFilter, "user__account")
    list_select_related = ("user", "user__account")
    search_fields = ("name", "prefix", "user__email", "user__account__name")
    ordering = ("-created_at",)
    actions = ["revoke_tokens"]
    readonly_fields = ("key_prefix", "name", "user", "account", "status", "created_at", "expires_at",
                       "last_used_at", "revoked_at")
    fieldsets = ((None, {"fields": readonly_fields}),)
    add_fieldsets = ((None, {"fields": ("user", "name", "ttl_days")}),)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A key is changed only by revoking it (the action); its page is read-only.
        return obj is None and super().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not may_handle_credentials_of(request.user, None):
            # Staff without superuser rights mint keys for themselves only (issue 8, kind 12).
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and form.instance.pk:
            services.staff_audit_record(actor=request.user, subject=form.instance.user, action="api_key_created",
                                        changes={"key": [None, f"{form.instance.prefix}…"]})

    @admin.display(description="Key", ordering="prefix")
    def key_prefix(self, obj):
        return f"{obj.prefix}…"

    @admin.display(description="Account", ordering="user__account__name")
    def account(self, obj):
        return obj.user.account or "— (platform staff)"

    @admin.display(description="Status")
    def status(self, obj):
        if obj.revoked_at:
            return "revoked"
        return "active" if obj.is_usable else "expired"

    @admin.action(permissions=["change"], description="Revoke",
                  description_plural="Revoke selected API keys", location=BOTH_LOCATIONS)
    def revoke_tokens(self, request, queryset):
        done, refusals = 0, []
        for token in queryset.filter(revoked_at=None).select_related("user"):
            if not may_handle_credentials_of(request.user, token.user):
                refusals.append(f"{token.prefix}…: only a superuser revokes another person's key "
                                "(deactivating the person revokes all of them).")
                continue
            services.api_token_revoke(token=token)
            services.staff_audit_record(actor=request.user, subject=token.user, action="api_key_revoked",
                                        changes={"key": [f"{token.prefix}…", None]})
            done += 1
        self.report(request, done, "Revoked", refusals)
