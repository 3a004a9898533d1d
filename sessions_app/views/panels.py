"""The facts and fixes panels of an Assistant session."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from accounts.errors import ServiceError

from .. import selectors, services
from ..forms import FactForm, FixProposeForm, FixStatusForm
from ..models import FixStatus
from .common import answer, form_refusal, member_required, refuse, session_or_404

AFTER_FACT = ["facts", "preview", "head"]
AFTER_FIX = ["fixes", "preview", "head"]
FIX_OUTCOME_WORDS = {FixStatus.ACTIVE: "is being tried", FixStatus.WORKED: "worked", FixStatus.FAILED: "failed",
                     FixStatus.SKIPPED: "was skipped", FixStatus.PROPOSED: "is back among the proposals"}
# How the banner looks says how it went: only a fix that worked is green; a failure is a warning.
FIX_OUTCOME_LEVEL = {FixStatus.WORKED: messages.SUCCESS, FixStatus.FAILED: messages.WARNING}


@require_POST
@member_required
def fact_create(request, session_id):
    session = session_or_404(request, session_id)
    form = FactForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), slot="fact-add-error")
    try:
        fact = services.fact_set(session=session, actor=request.user, **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, slot="fact-add-error")
    messages.success(request, f"Fact {fact.key} saved.")
    return answer(request, session, regions=AFTER_FACT, anchor="#facts")


@require_POST
@member_required
def fact_edit(request, session_id, fact_id):
    session = session_or_404(request, session_id)
    fact = get_object_or_404(selectors.fact_list(session=session), pk=fact_id)
    form = FactForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), region="facts", item=fact)
    try:
        fact = services.fact_update(fact=fact, actor=request.user, **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, region="facts", item=fact)
    messages.success(request, f"Fact {fact.key} updated.")
    return answer(request, session, regions=AFTER_FACT, anchor="#facts")


@require_POST
@member_required
def fact_remove(request, session_id, fact_id):
    session = session_or_404(request, session_id)
    fact = get_object_or_404(selectors.fact_list(session=session), pk=fact_id)
    key = fact.key
    try:
        services.fact_delete(fact=fact, actor=request.user)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, region="facts", item=fact)
    messages.success(request, f"Fact {key} removed.")
    return answer(request, session, regions=AFTER_FACT, anchor="#facts")


@require_POST
@member_required
def fix_create(request, session_id):
    session = session_or_404(request, session_id)
    form = FixProposeForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), slot="fix-propose-error")
    try:
        fix = services.fix_propose(session=session, actor=request.user, **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, slot="fix-propose-error")
    messages.success(request, f"“{fix.title}” added to the fixes.")
    return answer(request, session, regions=AFTER_FIX, anchor="#fixes")


@require_POST
@member_required
def fix_status(request, session_id, fix_id):
    """Make a fix active, or say how it went (worked, failed, skipped) with an outcome note."""
    session = session_or_404(request, session_id)
    fix = get_object_or_404(selectors.fix_list(session=session), pk=fix_id)
    form = FixStatusForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), region="fixes", item=fix)
    try:
        fix = services.fix_set_status(fix=fix, actor=request.user, **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, region="fixes", item=fix)
    status = FixStatus(fix.status)
    messages.add_message(request, FIX_OUTCOME_LEVEL.get(status, messages.INFO),
                         f"“{fix.title}” {FIX_OUTCOME_WORDS[status]}.")
    return answer(request, session, regions=AFTER_FIX, anchor="#fixes")
