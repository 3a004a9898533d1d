"""Server-rendered pages of accounts: login, home, invitation acceptance, Account Management.

Every change goes through ``accounts.services``; a view turns the request into one service
call and the outcome into a page. htmx requests get only the fragment that changed (plus the
messages region, out of band); a plain form post is redirected back after a success, or
gets the whole page with the refusal shown in place.
"""

import logging
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from resolutionflow.errors import http_status

from . import rules, selectors, services
from .errors import ServiceError
from .forms import (
    AcceptInvitationForm,
    AccountSettingsForm,
    EmailAuthenticationForm,
    InvitationForm,
    UserActiveForm,
    UserRoleForm,
)
from .models import Account, Role
from .signals import account_sections

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the app can reach its database, 503 when not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("healthz: database unreachable")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


# ---- signing in -----------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def home(request):
    return render(request, "home.html")


# ---- accepting an invitation ----------------------------------------------------------


def _invitation_unavailable(request, invitation):
    """The page for a link that cannot be used: unknown (404) or expired, revoked, used (410)."""
    state = "unknown" if invitation is None else invitation.status
    return render(request, "accounts/invitation_unavailable.html",
                  {"invitation": invitation, "state": state}, status=404 if state == "unknown" else 410)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    """Open to anyone holding the link; a signed-in user is asked to log out first rather
    than being switched to a new login behind their back."""
    invitation = services.invitation_for_token(token)
    if invitation is None or invitation.status != "pending":
        return _invitation_unavailable(request, invitation)
    if request.user.is_authenticated:
        return render(request, "accounts/accept_invitation.html", {"invitation": invitation},
                      status=409 if request.method == "POST" else 200)

    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return render(request, "accounts/accept_invitation.html", {"invitation": invitation, "form": form})
    status = 400
    if form.is_valid():
        try:
            user = services.invitation_accept(token=token, display_name=form.cleaned_data["display_name"],
                                              password=form.cleaned_data["password"])
        except ValidationError as exc:  # the password validators
            _add_errors(form, exc, field="password")
        except ServiceError as exc:
            if http_status(exc) in (404, 410):  # used, revoked or expired since the page was opened
                return _invitation_unavailable(request, services.invitation_for_token(token))
            form.add_error(None, exc.detail)
            status = http_status(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {user.account.name}, {user.name}.")
            return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"invitation": invitation, "form": form},
                  status=status)


# ---- Account Management ---------------------------------------------------------------


def account_admin_required(view):
    """Every Account Management view wears this, so none has to remember the check: signed-in
    non-admins get a friendly 403 (anonymous visitors never get here: login is required by
    ``resolutionflow.middleware.LoginRequiredMiddleware``)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_admin(request.user):
            return render(request, "403.html",
                          {"reason": "Account Management is for the admins of an account."}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _manage_context(request, **overrides):
    account = request.user.account
    return {
        "members": selectors.user_list(account=account),
        "invitations": selectors.invitation_list(account=account),
        "invite_form": InvitationForm(),
        "settings_form": AccountSettingsForm.for_account(account),
        "roles": Role.choices,
        "extra_sections": [section for _receiver, section in account_sections.send(sender=Account, request=request)
                           if section],
        **overrides,
    }


def account_manage_page(request, *, status: int):
    """The whole Account Management page (for another app's section that refused a plain,
    non-htmx form post and shows its refusal in place)."""
    return render(request, "accounts/manage.html", _manage_context(request), status=status)


def _answer(request, *, fragment, context, anchor, status=200):
    """The one way Account Management views answer (see the module docstring)."""
    if request.htmx:
        html = render_to_string(fragment, {"roles": Role.choices, **context}, request)
        html += render_to_string("_messages.html", {"oob": True}, request)
        response = HttpResponse(html, status=status)
    elif status < 400:
        response = redirect(reverse("account_manage") + anchor)
    else:
        response = render(request, "accounts/manage.html", _manage_context(request, **context), status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _refusal(exc: ServiceError | ValidationError) -> tuple[str, int]:
    if isinstance(exc, ServiceError):
        return exc.detail, http_status(exc)
    return " ".join(exc.messages), 400


def _add_errors(form, exc: ValidationError, field=None):
    """Show a model's or validator's ValidationError on the form, each message by its field."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc)


@require_GET
@account_admin_required
def account_manage(request):
    return render(request, "accounts/manage.html", _manage_context(request))


# People


def _member_or_404(request, user_id):
    # Through the account's own list, so another account's user is a 404, never a 403.
    return get_object_or_404(selectors.user_list(account=request.user.account), pk=user_id)


def _member_answer(request, member, *, error=None):
    context = {"member": member}
    status = 200
    if error is not None:
        detail, status = error
        context["row_error"] = {"id": member.pk, "detail": detail}
    return _answer(request, fragment="accounts/_user_row.html", context=context, anchor="#people",
                   status=status)


def _member_change(request, member, *, success, **changes):
    try:
        member = services.user_update(user=member, actor=request.user, **changes)
    except (ServiceError, ValidationError) as exc:
        member.refresh_from_db()
        return _member_answer(request, member, error=_refusal(exc))
    if member.pk == request.user.pk and not rules.is_admin(member):
        # Admins who demote or deactivate themselves leave this page for good.
        if not member.is_active:
            logout(request)
        messages.info(request, f"{success} You no longer manage this account.")
        home_url = reverse("home")
        return HttpResponseClientRedirect(home_url) if request.htmx else redirect(home_url)
    messages.success(request, success)
    return _member_answer(request, member)


@account_admin_required
@require_POST
def user_role(request, user_id):
    member = _member_or_404(request, user_id)
    form = UserRoleForm(request.POST)
    if not form.is_valid():
        return _member_answer(request, member, error=(f"Choose one of: {', '.join(Role.labels)}.", 400))
    role = Role(form.cleaned_data["role"])
    return _member_change(request, member, role=role,
                          success=f"{member.name} is now {_with_article(role.label.lower())}.")


@account_admin_required
@require_POST
def user_active(request, user_id):
    member = _member_or_404(request, user_id)
    form = UserActiveForm(request.POST)
    if not form.is_valid():
        return _member_answer(request, member, error=("Say whether the user is active (true or false).", 400))
    if form.cleaned_data["is_active"]:
        success = f"{member.name} is active again and can log in."
    else:
        success = f"{member.name} is deactivated: they can no longer log in and their API keys are revoked."
    return _member_change(request, member, is_active=form.cleaned_data["is_active"], success=success)


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


# Invitations


def _invitation_or_404(request, invitation_id):
    return get_object_or_404(selectors.invitation_list(account=request.user.account), pk=invitation_id)


def _invitations_answer(request, *, form=None, status=200):
    context = {"invitations": selectors.invitation_list(account=request.user.account),
               "invite_form": form or InvitationForm()}
    return _answer(request, fragment="accounts/_invitations.html", context=context, anchor="#invitations",
                   status=status)


def _invitation_answer(request, invitation, *, error=None):
    context = {"invitation": invitation}
    status = 200
    if error is not None:
        detail, status = _refusal(error)
        context["row_error"] = {"id": invitation.pk, "detail": detail}
    return _answer(request, fragment="accounts/_invitation_row.html", context=context,
                   anchor="#invitations", status=status)


@account_admin_required
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _invitations_answer(request, form=form, status=400)
    try:
        issued = services.invitation_create(account=request.user.account, invited_by=request.user,
                                            **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        detail, status = _refusal(exc)
        form.add_error(None, detail)
        return _invitations_answer(request, form=form, status=status)
    invitation = issued.invitation
    messages.success(request, f"Invited {invitation.email} as {_with_article(invitation.get_role_display().lower())}.")
    return _invitations_answer(request)


@account_admin_required
@require_POST
def invitation_resend(request, invitation_id):
    invitation = _invitation_or_404(request, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user)
    except ServiceError as exc:
        invitation.refresh_from_db()
        return _invitation_answer(request, invitation, error=exc)
    messages.success(request, f"A new link was sent to {invitation.email}; the previous link no longer works.")
    return _invitation_answer(request, invitation)


@account_admin_required
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = _invitation_or_404(request, invitation_id)
    try:
        invitation = services.invitation_revoke(invitation=invitation, actor=request.user)
    except ServiceError as exc:
        return _invitation_answer(request, invitation, error=exc)
    messages.success(request, f"The invitation for {invitation.email} is revoked; its link no longer works.")
    return _invitation_answer(request, invitation)


# Settings


@account_admin_required
@require_POST
def account_settings(request):
    account = selectors.account_for_user(user=request.user)
    form = AccountSettingsForm.for_account(account, data=request.POST)
    status = 400
    if form.is_valid():
        try:
            account = services.account_update(account=account, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        except ServiceError as exc:
            form.add_error(None, exc.detail)
            status = http_status(exc)
        else:
            messages.success(request, "Account settings saved.")
            return _answer(request, fragment="accounts/_settings.html", anchor="#settings",
                           context={"settings_form": AccountSettingsForm.for_account(account),
                                    "saved_account": account})
    return _answer(request, fragment="accounts/_settings.html", context={"settings_form": form},
                   anchor="#settings", status=status)
