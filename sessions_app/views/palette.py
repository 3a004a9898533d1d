"""Endpoints for page scripts: the command palette's entries and the client-side problem
report (a reply that arrived for another session than the one on screen)."""

import json
import logging

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import rules as account_rules
from accounts.context_processors import navigation_items
from accounts.models import User
from resolutionflow.middleware import answers_json

from .. import rules, selectors
from ..signals import palette_items
from .common import member_required, resume_url

logger = logging.getLogger("sessions_app.client")

REPORT_KINDS = {"session_mismatch"}
REPORT_MAX_BYTES = 4096


@answers_json
@never_cache
@require_GET
def palette(request):
    """The palette's data for the page script: ``{"items": palette_list(user)}``."""
    return JsonResponse({"items": palette_list(request.user)})


def palette_list(user) -> list[dict]:
    """Everything the palette can open, for this user only: starting sessions (engineers and
    admins), one FlowPilot entry per runbook of the account, Session History, the user's
    recent sessions, the pages they may see (every page of their navigation among them), and
    what the ``palette_items`` signal's receivers add (the Escalation Queue and the open
    escalations). Each item is ``{"id", "label",
    "group", "url", "hint", "keywords"}`` (strings; ``url`` a path on this site). The page
    (``/palette.json``) and the API (``GET /api/v1/palette/``) both answer this list."""
    items = []
    account = user.account
    if account is not None:
        new_url = reverse("sessions:new")
        if rules.may_start_session(user):
            items.append(_item("new-assistant", "New Assistant session", "Start", f"{new_url}?mode=assistant",
                               keywords="chat ai start create"))
            for flow in selectors.flow_list(account=account).order_by("name"):
                items.append(_item(f"flow:{flow.slug}", f"FlowPilot: {flow.name}", "FlowPilot",
                                   f"{new_url}?mode=flow&flow={flow.pk}",
                                   keywords=" ".join(["runbook", *flow.tags, *flow.keywords])))
        items.append(_item("history", "Session History", "Pages", reverse("sessions:history"),
                           keywords="sessions past resume search"))
        for session in selectors.recent_sessions(account=account, user=user, limit=8):
            hint = " · ".join(part for part in (session.client_name, session.ticket_ref,
                                                session.get_status_display()) if part)
            items.append(_item(f"session:{session.pk}", session.title, "Recent sessions",
                               resume_url(session), hint=hint,
                               keywords=f"{session.get_mode_display()} resume"))
    items.append(_item("page:home", "Home", "Pages", reverse("home")))
    for _receiver, extra in palette_items.send(sender=User, user=user):  # handoffs: queue, escalations
        items.extend(extra or [])
    if account_rules.is_admin(user):
        items.append(_item("page:account", "Account Management", "Pages", reverse("account_manage"),
                           keywords="account people users invitations settings"))
    if user.is_staff:
        items.append(_item("page:admin", "Django admin", "Pages", reverse("admin:index")))
    items.append(_item("page:api-docs", "API docs", "Pages", reverse("api-docs"), keywords="rest openapi"))
    # Every page of the navigation is in the palette too (Metrics was not), whoever adds it.
    listed = {item["url"].split("?")[0] for item in items}
    for page in navigation_items(user, counts=False):
        url = reverse(page["url_name"])
        if url not in listed:
            items.append(_item(f"page:{page['url_name'].rsplit(':', 1)[-1]}", page["label"], "Pages", url))
            listed.add(url)
    return items


def _item(item_id, label, group, url, *, hint="", keywords=""):
    return {"id": item_id, "label": label, "group": group, "url": url, "hint": hint, "keywords": keywords}


@require_POST
@member_required(api=True)
def client_report(request):
    """A page script saw something it must not handle silently; it is logged for us to see.
    JSON ``{"kind": "session_mismatch", "expected": <id on screen>, "got": <id answered>}``."""
    if len(request.body) > REPORT_MAX_BYTES:
        return JsonResponse({"detail": "The report is too large.", "code": "too_large"}, status=400)
    try:
        report = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        report = None
    if not isinstance(report, dict) or report.get("kind") not in REPORT_KINDS:
        return JsonResponse({"detail": f"Send a JSON object with a kind ({', '.join(sorted(REPORT_KINDS))}).",
                             "code": "invalid_report"}, status=400)
    logger.warning(
        "client report %s: expected session %s, got %s (user %s, account %s, page %s)",
        report["kind"], _short(report.get("expected")), _short(report.get("got")), request.user.pk,
        request.user.account_id, _short(report.get("page"), 300),
    )
    return HttpResponse(status=204)


def _short(value, limit=64) -> str:
    """Client-sent text, cut short and on one line, so a report cannot forge log lines."""
    text = str(value if value is not None else "-")[:limit]
    return "".join(char if char.isprintable() else "?" for char in text)
