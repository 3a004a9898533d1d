"""FlowPilot: answering the current step and stepping back."""

from django.core.exceptions import ValidationError
from django.views.decorators.http import require_POST

from accounts.errors import ServiceError

from .. import services
from ..forms import FlowAnswerForm
from .common import answer, form_refusal, member_required, refuse, session_or_404

AFTER_STEP = ["flow_step", "flow_path", "preview", "head"]


@require_POST
@member_required
def flow_answer(request, session_id):
    session = session_or_404(request, session_id)
    form = FlowAnswerForm(request.POST)
    if not form.is_valid():
        return refuse(request, session, form_refusal(form), region="flow_step", regions=AFTER_STEP)
    try:
        services.flow_answer(session=session, actor=request.user, **form.cleaned_data)
    except (ServiceError, ValidationError) as exc:
        # A stale tab or a double press: the step panel comes back at the real current step.
        return refuse(request, session, exc, region="flow_step", regions=AFTER_STEP)
    return answer(request, session, regions=AFTER_STEP, anchor="#current-step")


@require_POST
@member_required
def flow_back(request, session_id):
    session = session_or_404(request, session_id)
    try:
        services.flow_step_back(session=session, actor=request.user)
    except (ServiceError, ValidationError) as exc:
        return refuse(request, session, exc, region="flow_step", regions=AFTER_STEP)
    return answer(request, session, regions=AFTER_STEP, anchor="#current-step")
