"""What every session page shares: who may open it, how a session is looked up, what the
session screen shows, and the one way a write answers.

A write answers an htmx request with the page regions it changed, each marked
``hx-swap-oob`` (the forms use ``hx-swap="none"``), so one response updates the transcript,
the facts, the fixes and the ticket note together. A refusal answers with the service's
detail and status, retargeted (``HX-Retarget``) to the place on the page that explains it:
a form's error slot, or a list re-rendered with the error next to the item. Without
JavaScript a success redirects back to the session and a refusal re-renders the whole page
with the detail in the messages region and the refusal's status.

Every answer about a session carries ``X-Session-Id``: the page checks it before swapping,
so a reply meant for another session is never put into the wrong transcript.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from accounts import rules as account_rules
from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from resolutionflow.middleware import answers_json

from .. import selectors, services
from ..assistant.extract import KEYS as FACT_KEYS
from ..models import FixStatus, MessageKind, SessionMode

SESSION_HEADER = "X-Session-Id"


# ---- access ---------------------------------------------------------------------------


def member_required(view=None, *, api=False):
    """A user of an account (``accounts.rules.is_member``; platform staff have no sessions).

    Login itself is required by ``resolutionflow.middleware.LoginRequiredMiddleware``;
    ``api=True`` endpoints, called by page scripts, answer JSON there and here. (Times show in
    the account's time zone: ``accounts.middleware.AccountTimezoneMiddleware`` sees to that.)
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not account_rules.is_member(request.user):
                if api:
                    return JsonResponse({"detail": "Sessions belong to an account.", "code": "no_account"},
                                        status=403)
                return render(request, "403.html", {"reason": "Sessions belong to an MSP account; platform "
                                                              "staff have none."}, status=403)
            return view(request, *args, **kwargs)

        return answers_json(wrapper) if api else wrapper

    return decorate(view) if view is not None else decorate


def forbidden(request, reason):
    return render(request, "403.html", {"reason": reason}, status=403)


def session_or_404(request, session_id):
    """Through the user's account, so another account's session is a 404, never a 403."""
    return get_object_or_404(selectors.session_list(account=request.user.account), pk=session_id)


def refusal(exc: ServiceError | ValidationError) -> tuple[str, int]:
    if isinstance(exc, ServiceError):
        return exc.detail, http_status(exc)
    return " ".join(exc.messages), 400


def form_refusal(form) -> tuple[str, int]:
    """The first problem of an invalid form, as a refusal. Messages for a missing value are
    written to stand alone; the others get the field's label in front."""
    for field, errors in form.errors.as_data().items():
        error = errors[0]
        text = " ".join(error.messages)
        if field == "__all__" or error.code == "required":
            return text, 400
        return f"{form.fields[field].label or field.capitalize()}: {text}", 400
    return "Check the form.", 400


# ---- what the session screen shows ----------------------------------------------------


# The wording of the moves ``services.FIX_TRANSITIONS`` allows (the rule lives there), in
# the order the buttons appear.
FIX_ACTION_LOOK = {
    FixStatus.ACTIVE: ("Make active", "primary"),
    FixStatus.WORKED: ("Worked", "ok"),
    FixStatus.FAILED: ("Failed", "danger"),
    FixStatus.SKIPPED: ("Skip", "quiet"),
    FixStatus.PROPOSED: ("Put back", "quiet"),
}


def fix_actions(status: str) -> list[tuple[str, str, str]]:
    """(status it moves to, button label, button style) for each move a fix may make."""
    allowed = services.FIX_TRANSITIONS[FixStatus(status)]
    actions = []
    for target, (label, style) in FIX_ACTION_LOOK.items():
        if target in allowed:
            if target == FixStatus.ACTIVE and status != FixStatus.PROPOSED:
                label, style = "Try again", "quiet"
            actions.append((target, label, style))
    return actions


@dataclass(frozen=True)
class Region:
    template: str
    element_id: str


# The parts of the session screen a write may change; each template renders one element
# with this id, marked out of band when ``oob`` is set.
REGIONS = {
    "head": Region("sessions_app/_meta.html", "session-meta"),
    "transcript": Region("sessions_app/_transcript.html", "transcript"),
    "facts": Region("sessions_app/_facts_list.html", "facts-list"),
    "fixes": Region("sessions_app/_fixes_list.html", "fixes-list"),
    "preview": Region("sessions_app/_preview_body.html", "preview-body"),
    "flow_step": Region("sessions_app/_flow_step.html", "flow-step"),
    "flow_path": Region("sessions_app/_flow_path.html", "flow-path"),
}


def session_context(request, session, **extra) -> dict:
    writable = services.can_write(user=request.user, session=session) and session.is_open
    transcript = selectors.message_list(session=session)
    if session.mode == SessionMode.FLOW:
        # The path panel shows the answers (the service also logs each as a system line).
        transcript = transcript.filter(kind__in=[MessageKind.TECH, MessageKind.NOTE])
    fixes = list(selectors.fix_list(session=session))
    for fix in fixes:
        fix.actions = fix_actions(fix.status)
        fix.step_lines = [line for line in fix.steps.splitlines() if line.strip()]
    context = {
        "session": session,
        "can_write": writable,
        "read_only_reason": _read_only_reason(request.user, session),
        "transcript": transcript,
        "facts": selectors.fact_list(session=session),
        "fixes": fixes,
        "preview": services.session_preview(session=session),
        "fact_keys": FACT_KEYS,
    }
    if session.mode == SessionMode.FLOW:
        context.update(_flow_context(session))
    context.update(extra)
    return context


def _read_only_reason(user, session) -> str:
    if not session.is_open:
        # Says why the composer and the buttons are gone, also to someone who watched it close.
        return (f"This session is {session.get_status_display().lower()}: it can be read and copied, "
                "not changed. Start a new session to keep working.")
    if services.can_write(user=user, session=session):
        return ""
    if account_rules.is_viewer(user):
        return "You are a viewer: you can read this session but not change it."
    return f"This is {session.owner.name}'s session: you can read it; only they or an admin can change it."


def _flow_context(session) -> dict:
    steps = (session.flow_graph or {}).get("steps", {})
    step = services.current_step(session)
    options = list(enumerate((step or {}).get("options") or [], start=1))
    path = []
    for item in session.path:
        answered = item.get("answered_at")
        try:
            answered = datetime.fromisoformat(answered) if answered else None
        except ValueError:
            answered = None
        path.append({"step": item["step"], "text": steps.get(item["step"], {}).get("text", item["step"]),
                     "option": item["option"], "answered_at": answered})
    return {"step": step, "step_id": session.current_step, "options": options, "path": path,
            "at_resolution": bool(step) and step.get("type") == "resolution"}


# ---- answering a write ----------------------------------------------------------------


def session_url(session, anchor: str = "") -> str:
    return reverse("sessions:detail", args=[session.pk]) + anchor


def resume_url(session) -> str:
    """Where a session was left: a flow's current step, the end of a conversation."""
    return session_url(session, "#current-step" if session.mode == SessionMode.FLOW else "#latest")


def answer(request, session, *, regions, anchor=""):
    """A successful write: the changed regions (htmx) or a redirect back (plain post)."""
    if not request.htmx:
        return redirect(session_url(session, anchor))
    session.refresh_from_db()
    context = session_context(request, session)
    html = "".join(render_to_string(REGIONS[name].template, {**context, "oob": True}, request)
                   for name in regions)
    html += render_to_string("_messages.html", {"oob": True}, request)
    return finish(HttpResponse(html), session)


def refuse(request, session, exc_or_refusal, *, slot=None, region=None, item=None, regions=()):
    """A refused write, shown where it happened.

    ``slot``: the id of a form's error slot, filled with the detail. ``region``: a region
    re-rendered with the detail next to ``item`` (the fact or fix it is about), which also
    shows the current state after a conflict; ``regions`` are refreshed along with it.
    """
    if isinstance(exc_or_refusal, tuple):
        detail, status = exc_or_refusal
    else:
        detail, status = refusal(exc_or_refusal)
    if not request.htmx:
        messages.error(request, detail)
        session.refresh_from_db()
        return finish(render(request, "sessions_app/detail.html", session_context(request, session),
                              status=status), session)
    if region is not None:
        session.refresh_from_db()
        context = session_context(request, session, error={"id": str(item.pk) if item else "", "detail": detail})
        html = render_to_string(REGIONS[region].template, context, request)
        html += "".join(render_to_string(REGIONS[name].template, {**context, "oob": True}, request)
                        for name in regions if name != region)
        target, swap = f"#{REGIONS[region].element_id}", "outerHTML"
    else:
        html = render_to_string("sessions_app/_error.html", {"detail": detail, "testid": slot}, request)
        target, swap = f"#{slot}", "innerHTML"
    html += render_to_string("_messages.html", {"oob": True}, request)
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = target
    response["HX-Reswap"] = swap
    return finish(response, session)


def finish(response, session):
    response[SESSION_HEADER] = str(session.pk)
    patch_vary_headers(response, ["HX-Request"])
    return response
