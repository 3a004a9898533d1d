"""Escalation pages (docs/architecture.md#pages): the live Escalation Queue, the handoff-context screen, and
the escalation panel of the session page, plus the partials live.js re-fetches when a
websocket event says something changed.

Every change is one call to ``handoffs.services``. A form says where it was posted from
(``origin``: the queue card, the context screen or the session page), and the answer goes
back there: a success moves on (Pick Up opens the context screen) or re-renders the part
that changed; a refusal re-renders that part with the service's detail in place and the
service's status (409 for a lost race: "Sam Senior picked this up first"), retargeted with
``HX-Retarget`` so htmx swaps it whatever the status. Without JavaScript a success redirects
and a refusal renders the whole page with the detail, except on the session page, which
belongs to sessions_app: there it comes back as a message.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from resolutionflow.search import SEARCH_MAX_LENGTH

from . import rules, selectors, services
from .templatetags.handoffs import held_escalations

ORIGINS = ("queue", "context", "session")


# ---- access ---------------------------------------------------------------------------------


def member_required(view):
    """A member of an account (``rules.may_view_escalations``): platform staff have no
    escalations. Login itself is required by ``resolutionflow.middleware``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.may_view_escalations(request.user):
            return render(request, "403.html", {"reason": "Escalations belong to an MSP account; platform staff "
                                                          "have none."}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _handoff_or_404(request, handoff_id):
    handoff = selectors.handoff_get(account=request.user.account, handoff_id=handoff_id)
    if handoff is None:  # another account's escalation is "not found", never "forbidden"
        raise Http404("No such escalation.")
    return handoff


def _session_or_404(request, session_id):
    session = selectors.session_get(account=request.user.account, session_id=session_id)
    if session is None:
        raise Http404("No such session.")
    return session


# ---- what the pages show --------------------------------------------------------------------


def _decorate(handoff, user, now):
    """What the person looking may do with this handoff, and whether it waits too long."""
    handoff.offered = selectors.handoff_actions(handoff=handoff, user=user)
    handoff.overdue = selectors.is_overdue(handoff, now=now)
    handoff.alert_at = selectors.alert_at(handoff)
    return handoff


def _queue_filter(request) -> dict:
    """The queue's view (``all``, ``unclaimed``, ``mine``) and search words, from the query."""
    view = request.GET.get("show", "all")
    return {"view": view if view in selectors.QUEUE_VIEWS else "all",
            "q": request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]}


def _queue_context(request, *, error=None) -> dict:
    account, now = request.user.account, timezone.now()
    chosen = _queue_filter(request)
    handoffs = [_decorate(h, request.user, now)
                for h in selectors.handoff_queue(account=account, user=request.user, **chosen)]
    query = urlencode({key: value for key, value in (("show", chosen["view"]), ("q", chosen["q"]))
                       if value and value != "all"})
    return {
        "handoffs": handoffs,
        "filter": chosen,
        "filter_query": f"?{query}" if query else "",
        "views": [("unclaimed", "Unclaimed"), ("mine", "Mine"), ("all", "All")],
        "open_count": selectors.handoff_open_count(account=account),
        "seq": selectors.last_event_seq(account=account),
        "alert_minutes": account.unclaimed_alert_minutes,
        "error": error,
        "now": now,
    }


def _detail_context(request, handoff, *, error=None) -> dict:
    _decorate(handoff, request.user, timezone.now())
    return {
        "handoff": handoff,
        "snapshot": handoff.context,
        "history": selectors.handoff_history(handoff=handoff),
        "seq": selectors.last_event_seq(account=handoff.account),
        "error": error,
    }


def _fragment(request, template, context, *, status=200, target=None):
    html = render_to_string(template, context, request)
    html += render_to_string("_messages.html", {"oob": True}, request)
    response = HttpResponse(html, status=status)
    if target:
        response["HX-Retarget"] = target
        response["HX-Reswap"] = "outerHTML"
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---- the queue ------------------------------------------------------------------------------


@require_GET
@member_required
def queue(request):
    return render(request, "handoffs/queue.html", _queue_context(request))


@never_cache
@require_GET
@member_required
def queue_list(request):
    """The whole list: live.js resyncs with it after a reconnect or a missed event."""
    return render(request, "handoffs/_queue_list.html", _queue_context(request))


@never_cache
@require_GET
@member_required
def queue_card(request, handoff_id):
    """One card, after an event about it. A closed escalation has left the queue, and one the
    page's filter (``show``, ``q``) no longer lets through is off it: an empty answer, which
    removes the card it replaces."""
    handoff = _handoff_or_404(request, handoff_id)
    if not handoff.is_live or not selectors.handoff_in_queue_view(handoff=handoff, user=request.user,
                                                                  **_queue_filter(request)):
        return HttpResponse("")
    return render(request, "handoffs/_card.html", {"handoff": _decorate(handoff, request.user, timezone.now())})


@never_cache
@require_GET
@member_required
def home_held(request):
    """The home page's "Escalations I hold" card, re-fetched by live.js on each event."""
    return render(request, "handoffs/_home_held.html", held_escalations({"request": request}))


# ---- the handoff context --------------------------------------------------------------------


@require_GET
@member_required
def handoff_detail(request, handoff_id):
    handoff = _handoff_or_404(request, handoff_id)
    return render(request, "handoffs/detail.html", _detail_context(request, handoff))


@never_cache
@require_GET
@member_required
def handoff_status(request, handoff_id):
    """The status and actions panel of the context screen, re-fetched on each event."""
    handoff = _handoff_or_404(request, handoff_id)
    return render(request, "handoffs/_status.html", _detail_context(request, handoff))


# ---- the session page's escalation panel ------------------------------------------------------


@never_cache
@require_GET
@member_required
def session_escalation(request, session_id):
    session = _session_or_404(request, session_id)
    return render(request, "handoffs/_session_escalation.html", {"session": session})


@require_POST
@member_required
def session_escalate(request, session_id):
    """Escalate a session: its owner, or a colleague for them (peer escalation)."""
    session = _session_or_404(request, session_id)
    try:
        services.handoff_escalate(session=session, actor=request.user, note=request.POST.get("note", ""),
                                  urgency=request.POST.get("urgency", "normal").strip())
    except ServiceError as exc:
        return _refuse_on_session(request, session, exc)
    messages.success(request, "Escalated: the seniors see it on the Escalation Queue now. This page shows who "
                              "picks it up.")
    return _back_to_session(request, session)


def _back_to_session(request, session):
    # The session's status, transcript and who may write all change: the whole page reloads.
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(reverse("sessions:detail", args=[session.pk]) + "#session-escalation")


def _refuse_on_session(request, session, exc):
    if not request.htmx:
        messages.error(request, exc.detail)
        return redirect(reverse("sessions:detail", args=[session.pk]) + "#session-escalation")
    return _fragment(request, "handoffs/_session_escalation.html", {"session": session, "error": exc.detail},
                     status=http_status(exc), target="#session-escalation")


# ---- actions --------------------------------------------------------------------------------


def _refuse(request, handoff, exc: ServiceError, origin: str):
    handoff.refresh_from_db()
    error = {"id": str(handoff.pk), "detail": exc.detail}
    if origin == "session":
        return _refuse_on_session(request, handoff.session, exc)
    if origin == "queue":
        if not request.htmx:
            return render(request, "handoffs/queue.html", _queue_context(request, error=error), status=http_status(exc))
        if not handoff.is_live:
            # It left the queue meanwhile: say so in the messages region and drop the card.
            messages.error(request, exc.detail)
            return _fragment(request, "handoffs/_card_gone.html", {"handoff": handoff}, status=http_status(exc),
                             target=f"#handoff-{handoff.pk}")
        card = {"handoff": _decorate(handoff, request.user, timezone.now()), "error": error}
        return _fragment(request, "handoffs/_card.html", card, status=http_status(exc), target=f"#handoff-{handoff.pk}")
    context = _detail_context(request, handoff, error=error)
    if not request.htmx:
        return render(request, "handoffs/detail.html", context, status=http_status(exc))
    return _fragment(request, "handoffs/_status.html", context, status=http_status(exc), target="#handoff-status")


def _done(request, handoff, origin: str, message: str):
    messages.success(request, message)
    if origin == "session":
        return _back_to_session(request, handoff.session)
    if not request.htmx:
        return redirect("handoffs:detail", handoff_id=handoff.pk)
    return _fragment(request, "handoffs/_status.html", _detail_context(request, handoff))


def _origin(request) -> str:
    origin = request.POST.get("origin", "context")
    return origin if origin in ORIGINS else "context"


@require_POST
@member_required
def handoff_claim(request, handoff_id):
    """Pick Up: the winner goes straight to the context screen; a loser is told who won."""
    handoff = _handoff_or_404(request, handoff_id)
    try:
        handoff = services.handoff_claim(handoff=handoff, actor=request.user)
    except ServiceError as exc:
        return _refuse(request, handoff, exc, _origin(request))
    messages.success(request, f"You picked up “{handoff.session.title}”. {handoff.requested_by.name} sees "
                              f"that you have it.")
    url = reverse("handoffs:detail", args=[handoff.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@member_required
def handoff_release(request, handoff_id):
    handoff = _handoff_or_404(request, handoff_id)
    try:
        handoff = services.handoff_release(handoff=handoff, actor=request.user)
    except ServiceError as exc:
        return _refuse(request, handoff, exc, _origin(request))
    return _done(request, handoff, _origin(request), "Back on the queue: a colleague can pick it up.")


@require_POST
@member_required
def handoff_return(request, handoff_id):
    handoff = _handoff_or_404(request, handoff_id)
    try:
        handoff = services.handoff_return(handoff=handoff, actor=request.user, note=request.POST.get("note", ""))
    except ServiceError as exc:
        return _refuse(request, handoff, exc, _origin(request))
    return _done(request, handoff, _origin(request),
                 f"Returned to {handoff.requested_by.name} with your note; their session is active again.")


@require_POST
@member_required
def handoff_resolve(request, handoff_id):
    handoff = _handoff_or_404(request, handoff_id)
    try:
        handoff = services.handoff_resolve(handoff=handoff, actor=request.user,
                                           resolution=request.POST.get("resolution", ""))
    except ServiceError as exc:
        return _refuse(request, handoff, exc, _origin(request))
    return _done(request, handoff, _origin(request), "Resolved: the session is closed with your resolution.")


@require_POST
@member_required
def handoff_cancel(request, handoff_id):
    handoff = _handoff_or_404(request, handoff_id)
    try:
        handoff = services.handoff_cancel(handoff=handoff, actor=request.user, note=request.POST.get("note", ""))
    except ServiceError as exc:
        return _refuse(request, handoff, exc, _origin(request))
    return _done(request, handoff, _origin(request), "Escalation cancelled: it left the queue.")
