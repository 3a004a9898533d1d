"""Users: email logins; role and active flag change through the services."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html

from .. import services
from ..errors import ServiceError
from ..models import User
from ..rules import may_handle_credentials_of
from .base import BOTH_LOCATIONS, ServiceAdmin, ServiceForm


def _json(value):
    """A form value as the audit log stores it."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(getattr(value, "pk", value))


class UserAddForm(ServiceForm):
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    service_error_field = "password2"

    class Meta:
        model = User
        fields = ("email", "display_name", "account", "role")
        help_texts = {"account": "The MSP this login belongs to; platform staff have none."}

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if first and second and first != second:
            raise ValidationError("The two passwords differ.")
        return second

    def call_service(self):
        data = self.cleaned_data
        return services.user_create(account=data["account"], email=data["email"],
                                    password=data["password1"], role=data["role"],
                                    display_name=data["display_name"])


class UserChangeForm(ServiceForm):
    """Role, active flag and name go through ``services.user_update(actor=None)`` (the last active admin
    stays); the platform-staff flags and permissions have no rule and save as a form."""

    SERVICE_FIELDS = ("role", "is_active", "display_name")

    class Meta:
        model = User
        fields = ("display_name", "role", "is_active")

    def call_service(self):
        changes = {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS
                   if name in self.changed_data}
        if changes:
            # A fresh copy: the service re-reads it under lock and must not see form values.
            services.user_update(user=User.objects.get(pk=self.instance.pk), actor=None, **changes)
        return None


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserAddForm
    list_display = ("email", "display_name", "account", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "account")
    list_select_related = ("account",)
    search_fields = ("email", "display_name", "account__name", "account__slug")
    ordering = ("account__name", "email")
    actions = ["deactivate_users", "reactivate_users"]
    STAFF_ONLY_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
    fieldsets = (
        (None, {"fields": ("email", "password_status")}),
        ("Membership", {"fields": ("account", "display_name", "role", "is_active")}),
        ("Platform staff", {"fields": STAFF_ONLY_FIELDS}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "display_name", "account", "role", "password1", "password2")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Moving a login to another account or renaming it has no service (and would strand
        # its sessions); only superusers may grant staff rights, or they could grant their own.
        fixed = ("email", self._password_field(request, obj), "account", "last_login", "date_joined")
        return fixed if request.user.is_superuser else fixed + self.STAFF_ONLY_FIELDS

    AUDITED_FIELDS = ("display_name", "role", "is_active", "is_staff", "is_superuser")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # nor take over a superuser's login through its password
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # A login added here gets a password the staff member chose: a credential of
        # someone else. Staff without superuser rights invite people instead.
        return may_handle_credentials_of(request.user, None) and super().has_add_permission(request)

    def user_change_password(self, request, id, form_url=""):
        person = self.get_object(request, unquote(id))
        if person is not None and not may_handle_credentials_of(request.user, person):
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and person is not None:
            services.staff_audit_record(actor=request.user, subject=person, action="password_set")
        return response

    def save_model(self, request, obj, form, change):
        if not change:
            services.staff_audit_record(actor=request.user, subject=form.instance, action="created", changes={
                name: [None, _json(form.cleaned_data.get(name))] for name in ("account", "role", "display_name")})
            return  # user_create ran during validation
        plain = [name for name in ("is_staff", "is_superuser") if name in form.changed_data]
        if plain:
            obj.save(update_fields=plain)
        changes = {name: [_json(form.initial.get(name)), _json(form.cleaned_data.get(name))]
                   for name in self.AUDITED_FIELDS if name in form.changed_data}
        if changes:
            services.staff_audit_record(actor=request.user, subject=obj, action="changed", changes=changes)

    @staticmethod
    def _password_state(obj) -> str:
        if obj.has_usable_password():
            try:
                algorithm = identify_hasher(obj.password).algorithm
            except ValueError:
                algorithm = "unknown algorithm"
            return f"Set, stored hashed ({algorithm})."
        return "None: this login cannot sign in with a password."

    @admin.display(description="Password")
    def password_status(self, obj):
        url = reverse("admin:auth_user_password_change", args=[obj.pk])
        return format_html('{} <a href="{}">Set a new password</a>', self._password_state(obj), url)

    @admin.display(description="Password")
    def password_status_only(self, obj):
        """For staff who may not set this person's password: the state, without the link."""
        return self._password_state(obj)

    def _password_field(self, request, obj) -> str:
        return "password_status" if may_handle_credentials_of(request.user, obj) else "password_status_only"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        swap = self._password_field(request, obj)
        return [(name, {**options, "fields": tuple(swap if f == "password_status" else f for f in options["fields"])})
                for name, options in fieldsets]

    def _update_each(self, request, queryset, verb, **changes):
        done, refusals = 0, []
        for user in queryset:
            if not self.has_change_permission(request, user):
                refusals.append(f"{user.email}: you may not change this login.")
                continue
            before = {name: getattr(user, name) for name in changes}
            try:
                services.user_update(user=user, actor=None, **changes)
            except ServiceError as exc:
                refusals.append(f"{user.email}: {exc.detail}")
            else:
                done += 1
                services.staff_audit_record(
                    actor=request.user, subject=user, action=verb.lower(),
                    changes={name: [before[name], value] for name, value in changes.items()})
        self.report(request, done, verb, refusals)

    @admin.action(permissions=["change"], description="Deactivate (API keys are revoked)",
                  description_plural="Deactivate selected users (their API keys are revoked)",
                  location=BOTH_LOCATIONS)
    def deactivate_users(self, request, queryset):
        self._update_each(request, queryset, "Deactivated", is_active=False)

    @admin.action(permissions=["change"], description="Reactivate",
                  description_plural="Reactivate selected users", location=BOTH_LOCATIONS)
    def reactivate_users(self, request, queryset):
        self._update_each(request, queryset, "Reactivated", is_active=True)
