"""What a session page re-fetches when its socket says the session changed
(``sessions_app.events``): the regions an event names, or the whole screen when the status,
the assignee or who may write changed. Neither touches the messages region, so a flash
message meant for the next full page load is never consumed by a live refresh."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..models import SessionMode
from .common import REGIONS, finish, member_required, session_context, session_or_404

# The regions each kind of session page has (the others are not on the page).
MODE_REGIONS = {
    SessionMode.ASSISTANT: ("head", "transcript", "facts", "fixes", "preview"),
    SessionMode.FLOW: ("head", "transcript", "preview", "flow_step", "flow_path"),
}


@never_cache
@require_GET
@member_required
def session_live(request, session_id):
    """The whole session screen (``#session-page``), as the reader may see it now."""
    session = session_or_404(request, session_id)
    return finish(render(request, "sessions_app/_page.html", session_context(request, session)), session)


@never_cache
@require_GET
@member_required
def session_regions(request, session_id):
    """``?region=transcript&region=facts``: those regions, each marked ``hx-swap-oob``.
    Names the page does not have are left out; none given means every region of the page."""
    session = session_or_404(request, session_id)
    available = MODE_REGIONS[session.mode]
    named = set(request.GET.getlist("region"))
    wanted = [name for name in available if name in named] or list(available)
    context = {**session_context(request, session), "oob": True}
    html = "".join(render_to_string(REGIONS[name].template, context, request) for name in wanted)
    return finish(HttpResponse(html), session)


@never_cache
@require_GET
def home_sessions(request):
    """The home page's "My open sessions" card, re-fetched by live.js on escalation events
    (picked up, returned)."""
    # Imported here: the template library imports sessions_app.views (resume_url), so a
    # module-level import is circular whenever the templates load first (manage.py check).
    from ..templatetags.session_pages import my_open_sessions

    return render(request, "sessions_app/_home_sessions.html", my_open_sessions({"request": request}))
