"""Account Management's "Webhook and notifications" section (``/account/#webhook``), served by
handoffs and added to the accounts page through ``accounts.signals.account_sections`` (accounts never
imports handoffs, docs/architecture.md#rooms-and-dependencies).

An admin sets or clears the webhook URL, rotates the signing secret (the new one is shown
once, in the answer), queues a test delivery, and sees the recent webhook deliveries and
notification emails with their status and tries, re-sending a failed one. Every change is
one service call; htmx swaps the section, a plain form post is redirected back (or, refused,
gets the whole page with the refusal in the section and the service's status).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts import rules as account_rules
from accounts import services as account_services
from accounts.errors import ServiceError
from accounts.views import account_admin_required, account_manage_page
from resolutionflow.errors import http_status

from . import deliveries, selectors, webhooks
from .models import DeliveryKind

TEMPLATE = "handoffs/_webhook_section.html"
RECENT = 20


def webhook_section(request, **_signal) -> dict | None:
    """The section for Account Management (registered in apps.py): admins of an account only."""
    user = request.user
    if not account_rules.is_admin(user):
        return None
    account = user.account
    account.refresh_from_db()
    return {
        "template": TEMPLATE, "anchor": "webhook", "label": "Webhook", "testid": "section-webhook",
        "configured": bool(account.webhook_url),
        "host": webhooks.host_of(account.webhook_url) if account.webhook_url else "",
        "webhook_deliveries": selectors.delivery_list(account=account, kind=DeliveryKind.WEBHOOK)[:RECENT],
        "emails": selectors.delivery_list(account=account, kind=DeliveryKind.EMAIL)[:RECENT],
        **getattr(request, "webhook_section_extra", {}),
    }


def _answer(request, *, status: int = 200, **extra):
    request.webhook_section_extra = extra
    if request.htmx:
        html = render_to_string(TEMPLATE, {"section": webhook_section(request)}, request)
        html += render_to_string("_messages.html", {"oob": True}, request)
        response = HttpResponse(html, status=status)
    elif status < 400 and "new_secret" not in extra:
        response = redirect(reverse("account_manage") + "#webhook")
    else:
        # A refusal, or a secret that must be shown now and never again: the page itself.
        response = account_manage_page(request, status=status)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


def _refused(request, exc: ServiceError | ValidationError):
    if isinstance(exc, ServiceError):
        return _answer(request, status=http_status(exc), error=exc.detail, error_code=exc.code)
    return _answer(request, status=400, error=" ".join(exc.messages), error_code="invalid")


@account_admin_required
@require_GET
def section(request):
    """The section alone (its Refresh button): statuses change as the worker delivers."""
    return _answer(request)


@account_admin_required
@require_POST
def webhook_url(request):
    url = (request.POST.get("webhook_url") or "").strip()
    if len(url) > 500:
        return _answer(request, status=400, error="A webhook URL has at most 500 characters.",
                       error_code="url_too_long", url_value=url[:500])
    try:
        account_services.account_update(account=request.user.account, actor=request.user, webhook_url=url)
    except ValidationError as exc:
        messages_ = exc.message_dict.get("webhook_url") if hasattr(exc, "error_dict") else exc.messages
        return _answer(request, status=400, error=" ".join(messages_ or exc.messages), error_code="invalid_url",
                       url_value=url)
    except ServiceError as exc:
        return _answer(request, status=http_status(exc), error=exc.detail, error_code=exc.code, url_value=url)
    if url:
        messages.success(request, f"Escalation events now go to {webhooks.host_of(url)}.")
    else:
        messages.success(request, "The webhook is removed; its signing secret is deleted.")
    return _answer(request)


@account_admin_required
@require_POST
def webhook_rotate(request):
    try:
        secret = account_services.account_webhook_secret_rotate(account=request.user.account, actor=request.user)
    except ServiceError as exc:
        return _refused(request, exc)
    messages.success(request, "A new signing secret is in use; the old one no longer verifies. Copy it now: "
                              "it is not shown again.")
    return _answer(request, new_secret=secret)


@account_admin_required
@require_POST
def webhook_test(request):
    try:
        deliveries.webhook_test_send(account=request.user.account, actor=request.user)
    except ServiceError as exc:
        return _refused(request, exc)
    messages.success(request, "A test delivery is queued; Refresh shows how it went.")
    return _answer(request)


@account_admin_required
@require_POST
def delivery_resend(request, delivery_id):
    delivery = selectors.delivery_get(account=request.user.account, delivery_id=delivery_id)
    if delivery is None:  # another account's delivery is "not found"
        return _answer(request, status=404, error="That delivery was not found.", error_code="not_found")
    try:
        deliveries.delivery_resend(delivery=delivery, actor=request.user)
    except ServiceError as exc:
        return _refused(request, exc)
    messages.success(request, "The delivery is queued again, with the same delivery id.")
    return _answer(request)
