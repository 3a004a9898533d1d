"""The session screen (Assistant or FlowPilot), its transcript and Resolve."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.errors import ServiceError

from .. import services
from ..forms import MessageForm, ResolveForm
from ..models import MessageKind, SessionMode
from .common import (
    answer,
    finish,
    form_refusal,
    member_required,
    refuse,
    session_context,
    session_or_404,
    session_url,
)


@require_GET
@member_required
def session_detail(request, session_id):
    session = session_or_404(request, session_id)
    return finish(render(request, "sessions_app/detail.html", session_context(request, session)), session)


@require_POST
@member_required
def message_create(request, session_id):
    """A technician message (answered by the assistant in an Assistant session) or a note."""
    session = session_or_404(request, session_id)
    form = MessageForm(request.POST)
    is_note = request.POST.get("kind") == MessageKind.NOTE
    slot = "note-error" if request.htmx and request.htmx.trigger == "note-form" else "composer-error"
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), slot=slot)
    try:
        services.message_post(session=session, actor=request.user, body=form.cleaned_data["body"],
                              kind=MessageKind.NOTE if is_note else MessageKind.TECH)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, slot=slot)
    if session.mode == SessionMode.ASSISTANT and not is_note:
        regions = ["transcript", "facts", "fixes", "preview", "head"]
    else:
        regions = ["transcript", "head"]
    return answer(request, session, regions=regions, anchor="#composer" if not is_note else "#notes")


@require_POST
@member_required
def session_resolve(request, session_id):
    """Close the session as fixed. The whole screen changes (no composer, the resolution
    shown), so htmx reloads the page rather than patching every region."""
    session = session_or_404(request, session_id)
    slot = "flow-resolve-error" if request.htmx and request.htmx.trigger == "flow-resolve-form" else "resolve-error"
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), slot=slot)
    try:
        services.session_resolve(session=session, actor=request.user, resolution=form.cleaned_data["resolution"])
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, slot=slot)
    messages.success(request, "Session resolved. The ticket note below has the resolution.")
    if request.htmx:
        return finish(HttpResponseClientRefresh(), session)
    return redirect(session_url(session))


@require_POST
@member_required
def session_draft_runbook(request, session_id):
    """An admin turns a resolved session's resolution into a draft runbook (inactive)."""
    session = session_or_404(request, session_id)
    try:
        flow = services.flow_draft_from_session(session=session, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Draft runbook “{flow.name}” ({flow.slug}) created, inactive: review its "
                                  "steps and activate it from the flow library (API or admin).")
    return redirect(session_url(session))
