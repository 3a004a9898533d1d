"""Session History and starting a new session."""

from collections import defaultdict
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from accounts.errors import ServiceError
from resolutionflow.pagination import CappedPaginator, bounded_count

from .. import rules, selectors, services
from ..forms import HistoryFilterForm, NewSessionForm
from ..models import SessionMode
from .common import forbidden, member_required, session_url

PAGE_SIZE = 20
OTHER_TAB_CAP = 100  # "100+ in Flow Sessions": the hint counts no further

TABS = [(SessionMode.ASSISTANT, "AI Sessions"), (SessionMode.FLOW, "Flow Sessions")]


@require_GET
@member_required
def history(request):
    """Tabs by mode, filters in the query string. htmx asks for the result list alone when
    a filter changes (``HX-Target: history-results``) and for the whole section on a tab."""
    user = request.user
    form = HistoryFilterForm(request.GET)
    status = 200
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    else:
        filters, status = {}, 400
    filters.setdefault("mode", SessionMode.ASSISTANT)
    # People who own sessions mostly look for their own; viewers own none.
    filters.setdefault("owner", "mine" if rules.may_start_session(user) else "all")
    sessions = _search(user, filters, mode=filters["mode"])
    page = CappedPaginator(sessions, PAGE_SIZE).get_page(filters.get("page") or 1)
    for session in page:
        if session.mode == SessionMode.FLOW and session.is_open:
            session.step_text = ((session.flow_graph or {}).get("steps", {}).get(session.current_step) or {}).get(
                "text", "")
    is_filtered = any(filters.get(key) for key in ("status", "client", "q"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "other_tab": _other_tab(user, filters) if is_filtered and not page.object_list else None,
        "tabs": [{"mode": mode, "label": label, "current": mode == filters["mode"],
                  "url": "?" + _query(filters, mode=mode, page=None)} for mode, label in TABS],
        "prev_url": "?" + _query(filters, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": "?" + _query(filters, page=page.next_page_number()) if page.has_next() else "",
        "is_filtered": is_filtered,
    }
    template = "sessions_app/history.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = ("sessions_app/_history_results.html" if request.htmx.target == "history-results"
                    else "sessions_app/_history.html")
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _search(user, filters, *, mode):
    # The page's filters (the form's "mine" is the selector's "me") on one tab's mode.
    return selectors.session_search(
        account=user.account, user=user, mode=mode, status=filters.get("status"),
        owner="me" if filters["owner"] == "mine" else None, client=filters.get("client"), q=filters.get("q"))


def _other_tab(user, filters) -> dict | None:
    """When a filtered tab is empty: the other tab's matches for the same filters (``{"label",
    "count", "more", "url"}``, the count capped at 100), or None when it has none either. A
    search for "disk full" on the AI tab must not say "nothing" while a FlowPilot session matches."""
    mode, label = next((mode, label) for mode, label in TABS if mode != filters["mode"])
    count = bounded_count(_search(user, filters, mode=mode), cap=OTHER_TAB_CAP)
    if not count:
        return None
    return {"label": label, "count": min(count, OTHER_TAB_CAP), "more": count > OTHER_TAB_CAP,
            "url": "?" + _query(filters, mode=mode, page=None)}


def _query(filters, **changes) -> str:
    merged = {**filters, **changes}
    return urlencode({key: value for key, value in merged.items() if value not in (None, "")})


@require_http_methods(["GET", "POST"])
@member_required
def session_new(request):
    """Choose Assistant or FlowPilot (and the runbook), say what is wrong, start.
    ``?mode=flow&flow=<id>`` preselects a runbook (the command palette links there)."""
    user = request.user
    if not rules.may_start_session(user):
        return forbidden(request, "Viewers can read sessions but not start them.")
    account = user.account
    status = 200
    if request.method == "POST":
        form = NewSessionForm(request.POST, account=account)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = services.session_create(
                    account=account, owner=user, mode=data["mode"], problem=data["problem"],
                    client_name=data["client_name"], ticket_ref=data["ticket_ref"],
                    flow=data["flow"] if data["mode"] == SessionMode.FLOW else None,
                )
            except (ServiceError, ValidationError) as exc:
                form.add_error(None, exc.detail if isinstance(exc, ServiceError) else " ".join(exc.messages))
                status = getattr(exc, "status", 400)
            else:
                anchor = "#current-step" if session.mode == SessionMode.FLOW else "#composer"
                return redirect(session_url(session, anchor))
        else:
            status = 400
    else:
        mode = request.GET.get("mode")
        form = NewSessionForm(account=account, initial={
            "mode": mode if mode in SessionMode.values else SessionMode.ASSISTANT,
            "flow": request.GET.get("flow", ""),
        })
    return render(request, "sessions_app/new.html", {"form": form, **_flow_choices(form, account)}, status=status)


def _flow_choices(form, account) -> dict:
    """The runbooks grouped by their first tag, and which mode and runbook are chosen."""
    flows = list(selectors.flow_list(account=account).order_by("name"))
    chosen = str(form["flow"].value() or "")
    if chosen and not any(str(flow.pk) == chosen for flow in flows):
        chosen = ""  # a stale or foreign id in a palette link preselects nothing
    groups = defaultdict(list)
    for flow in flows:
        groups[(flow.tags[0] if flow.tags else "other").replace("-", " ").capitalize()].append(flow)
    return {
        "flow_groups": sorted(groups.items(), key=lambda item: (item[0] == "Other", item[0])),
        "flow_count": len(flows),
        "chosen_flow": chosen,
        "chosen_mode": form["mode"].value() or SessionMode.ASSISTANT,
    }
