"""The base of every admin: account scoping (shared by every app) and service-backed forms."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.sites import NotRegistered
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.db import transaction

from ..errors import ServiceError
from ..models import Account

BOTH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


class AccountScopedAdminMixin:
    """Put first in the bases of every ModelAdmin of a tenant model.

    ``account_path`` is the ORM path from the model to its account: ``"account"`` for
    ``AccountOwned`` models, ``"session__account"`` for a model that hangs off a session,
    ``"pk"`` for ``Account`` itself.
    """

    account_path = "account"
    # "12 results (200,000 total)" costs a second COUNT(*) over every row of the model on each
    # filtered page; Django shows a "Show all" link instead (issue 9: lists that do not grow).
    show_full_result_count = False

    @staticmethod
    def is_platform_wide(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def staff_account_id(self, request):
        """The account a non-superuser staff member may see, or None (they see nothing).

        Anonymous visitors (the admin's login page builds its app list for them too) have no
        account: they see nothing, and the admin sends them to its login page."""
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None
        return user.account_id

    def account_id_of(self, obj):
        *hops, last = self.account_path.split("__")
        for hop in hops:
            obj = getattr(obj, hop)
        return obj.pk if last == "pk" else getattr(obj, f"{last}_id")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.is_platform_wide(request):
            return queryset
        account_id = self.staff_account_id(request)
        if account_id is None:
            return queryset.none()
        return queryset.filter(**{self.account_path: account_id})

    def _may_see(self, request, obj=None) -> bool:
        if self.is_platform_wide(request):
            return True
        account_id = self.staff_account_id(request)
        if account_id is None:
            return False
        return obj is None or self.account_id_of(obj) == account_id

    def has_module_permission(self, request):
        return self._may_see(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see(request, obj) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return self._may_see(request) and super().has_add_permission(request, *args, **kwargs)

    def has_change_permission(self, request, obj=None):
        return self._may_see(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_see(request, obj) and super().has_delete_permission(request, obj)

    def _scoped_admin_for(self, model):
        try:
            related_admin = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return None
        return related_admin if isinstance(related_admin, AccountScopedAdminMixin) else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_admin = self._scoped_admin_for(db_field.remote_field.model)
        scoped = related_admin is not None and not self.is_platform_wide(request)
        if scoped and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.get_queryset(request)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if scoped and formfield is not None and db_field.name == self.account_path.split("__")[0]:
            # The key that places the object in an account: staff must place it in theirs.
            formfield.required = True
            if related_admin.model is Account:
                formfield.initial = self.staff_account_id(request)
                formfield.empty_label = None
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related_admin = self._scoped_admin_for(db_field.remote_field.model)
        if related_admin is not None and not self.is_platform_wide(request) and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self.is_platform_wide(request):
            return filters
        # A plain related filter lists every row of the related table (every account's name,
        # every account's users); the related-only filter lists only what this staff member's
        # queryset refers to. A filter by account is pointless for them: it has one choice.
        return [scoped for spec in filters if (scoped := self._related_only(spec)) is not None]

    def _related_only(self, spec):
        if not isinstance(spec, str):
            return spec
        field = get_fields_from_path(self.model, spec)[-1]
        if not field.is_relation:
            return spec
        if field.related_model is Account:
            return None
        return (spec, admin.RelatedOnlyFieldListFilter)


class ServiceForm(forms.ModelForm):
    """An admin form whose change is a service call.

    The call runs as the form's last validation step, so a refusal (a ``ServiceError``, or a
    ``ValidationError`` such as a weak password) is shown on the form and a valid form means
    the change is made. Nothing validates after it: these admins have no inlines, and the
    admin view runs the whole request in one transaction.
    """

    # The field that shows a service's ValidationError that names no field.
    service_error_field = None
    success_message = ""

    def call_service(self):
        """Make the change; return the saved object when it replaces ``self.instance``."""
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                saved = self.call_service()
        except ServiceError as exc:
            self.add_error(None, exc.detail)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(self.service_error_field, exc)
        else:
            if saved is not None:
                self.instance = saved


class ServiceAdmin(AccountScopedAdminMixin, admin.ModelAdmin):
    """The base of this app's admins: service-backed add forms, and deletion only by superusers
    (account staff deactivate and revoke; a row's history stays)."""

    def save_model(self, request, obj, form, change):
        if isinstance(form, ServiceForm):
            if form.success_message:
                self.message_user(request, form.success_message, messages.SUCCESS)
            if not change:
                return  # created by the service during validation
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def report(self, request, done: int, verb: str, refusals: list[str]) -> None:
        noun = self.opts.verbose_name if done == 1 else self.opts.verbose_name_plural
        if done:
            self.message_user(request, f"{verb} {done} {noun}.", messages.SUCCESS)
        for refusal in refusals:
            self.message_user(request, refusal, messages.WARNING)
