"""Invitations: issued, revoked and reissued only through the services."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from .. import services
from ..errors import ServiceError
from ..models import Invitation
from .base import BOTH_LOCATIONS, ServiceAdmin, ServiceForm


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s, s.capitalize()) for s in ("pending", "expired", "accepted", "revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = Q(accepted_at=None, revoked_at=None)
        conditions = {
            "pending": open_ & Q(expires_at__gt=now),
            "expired": open_ & Q(expires_at__lte=now),
            "accepted": ~Q(accepted_at=None),
            "revoked": Q(accepted_at=None) & ~Q(revoked_at=None),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class InvitationAddForm(ServiceForm):
    send_email = forms.BooleanField(required=False, initial=True, label="Email the link",
                                    help_text="The link is also shown to you once, after saving.")

    class Meta:
        model = Invitation
        fields = ("account", "email", "role")

    # Set per request by InvitationAdmin.get_form: superusers see every account and may be
    # shown the link; staff of one account are neither told about logins elsewhere nor shown
    # a link they could accept in the invitee's place (issue 8, kinds 10 and 12).
    sees_every_account = True

    def call_service(self):
        data = self.cleaned_data
        # Platform staff invite as the platform (no inviting admin): invited_by must be an
        # admin of the account, which they are not.
        issued = services.invitation_create(account=data["account"], email=data["email"],
                                            role=data["role"], invited_by=None,
                                            send_email=data.get("send_email", True) or not self.sees_every_account,
                                            sees_every_account=self.sees_every_account)
        if self.sees_every_account:
            self.success_message = f"One-time invitation link for {issued.invitation.email}: {issued.url}"
        else:
            self.success_message = f"Invitation emailed to {issued.invitation.email}."
        return issued.invitation


@admin.register(Invitation)
class InvitationAdmin(ServiceAdmin):
    list_display = ("email", "account", "role", "status", "invited_by", "created_at", "sent_at",
                    "expires_at", "accepted_at")
    list_filter = (InvitationStatusFilter, "role", "account")
    list_select_related = ("account", "invited_by")
    search_fields = ("email", "account__name", "account__slug")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    actions = ["revoke_invitations", "reissue_invitations"]
    readonly_fields = ("account", "email", "role", "status", "link", "invited_by", "created_at",
                       "sent_at", "expires_at", "accepted_at", "accepted_user", "revoked_at")
    fieldsets = ((None, {"fields": readonly_fields}),)
    add_fieldsets = ((None, {"fields": ("account", "email", "role", "send_email")}),)

    def get_fieldsets(self, request, obj=None):
        if obj is None and not request.user.is_superuser:
            return ((None, {"fields": ("account", "email", "role")}),)  # always emailed
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = type("InvitationAddForm", (InvitationAddForm,),
                                  {"sees_every_account": request.user.is_superuser})
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        # An invitation is changed only by revoking or reissuing it (the actions); its page
        # is read-only.
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="Status")
    def status(self, obj):
        return obj.status

    @admin.display(description="Link")
    def link(self, obj):
        return "Stored only as a SHA-256 digest; the link was shown once, when it was issued."

    @admin.action(permissions=["change"], description="Revoke",
                  description_plural="Revoke selected invitations", location=BOTH_LOCATIONS)
    def revoke_invitations(self, request, queryset):
        done, refusals = 0, []
        for invitation in queryset.select_related("account"):
            try:
                services.invitation_revoke(invitation=invitation, actor=None)
            except ServiceError as exc:
                refusals.append(f"{invitation.email}: {exc.detail}")
            else:
                done += 1
        self.report(request, done, "Revoked", refusals)

    @admin.action(permissions=["change"], description="Email a fresh link",
                  description_plural="Email fresh links for selected invitations",
                  location=BOTH_LOCATIONS)
    def reissue_invitations(self, request, queryset):
        done, refusals = 0, []
        for invitation in queryset.select_related("account", "invited_by"):
            try:
                issued = services.invitation_resend(invitation=invitation, actor=None)
            except ServiceError as exc:
                refusals.append(f"{invitation.email}: {exc.detail}")
            else:
                done += 1
                shown = f": {issued.url}" if request.user.is_superuser else ", emailed"
                self.message_user(request, f"Fresh link for {invitation.email} (the old one no longer "
                                           f"works){shown}", messages.INFO)
        self.report(request, done, "Reissued", refusals)
