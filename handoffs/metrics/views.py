"""The metrics page (``/metrics/``), its CSV, and the admins' baseline forms. Every figure
comes from ``handoffs.metrics.pilot_metrics``; who may see, export and keep the baseline
from ``handoffs.rules``; changes from ``handoffs.services``."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import ServiceError
from resolutionflow.errors import http_status

from .. import rules, services
from ..models import BaselineSample
from .chart import weekly_chart
from .compute import THIN_BELOW, pilot_metrics
from .export import csv_filename, report_csv
from .forms import BaselineSampleForm, RangeForm


def _refused(request, reason: str):
    return render(request, "403.html", {"reason": reason}, status=403)


def metrics_access(rule, reason: str):
    """Signed in (else the login page), then ``rule(user)`` (else 403 with ``reason``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                next_url = request.get_full_path() if request.method == "GET" else reverse("handoffs:metrics")
                return redirect(redirect_to_login(next_url).url)
            if not rule(request.user):
                return _refused(request, reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


view_required = metrics_access(rules.may_view_metrics, "Metrics belong to an MSP account; platform staff have none.")
baseline_required = metrics_access(rules.may_manage_baseline, "Only an admin of this account keeps the baseline.")
export_required = metrics_access(rules.may_export_metrics, "Only an admin of this account downloads the CSV.")


def _range(request):
    """The range the query asks for: (since, until, form). A bad date leaves both None."""
    form = RangeForm(request.GET)
    if not form.is_valid():
        return None, None, form
    return form.cleaned_data.get("since"), form.cleaned_data.get("until"), form


def _page(request, *, baseline_form=None, status=200):
    account = request.user.account
    since, until, range_form = _range(request)
    errors = [str(e) for field in range_form.errors.values() for e in field]
    try:
        report = pilot_metrics(account=account, since=since, until=until)
    except ServiceError as exc:
        errors.append(exc.detail)
        report = pilot_metrics(account=account)
    if errors:
        status = 400
    context = {
        "report": report,
        "chart": weekly_chart(report),
        "range_errors": errors,
        "range_query": urlencode({"since": report.since.isoformat(), "until": report.until.isoformat()}),
        "baseline_form": baseline_form or BaselineSampleForm(),
        "samples": BaselineSample.objects.for_account(account).select_related("recorded_by"),
        "may_manage_baseline": rules.may_manage_baseline(request.user),
        "may_export": rules.may_export_metrics(request.user),
        "thin_below": THIN_BELOW,
    }
    return render(request, "handoffs/metrics.html", context, status=status)


@require_GET
@view_required
def metrics_page(request):
    return _page(request)


@require_GET
@export_required
def metrics_csv(request):
    since, until, form = _range(request)
    if not form.is_valid():
        return HttpResponse("Use dates such as 2026-11-30 for since and until.\n", status=400,
                            content_type="text/plain; charset=utf-8")
    try:
        report = pilot_metrics(account=request.user.account, since=since, until=until)
    except ServiceError as exc:
        return HttpResponse(exc.detail + "\n", status=http_status(exc), content_type="text/plain; charset=utf-8")
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(report)}"'
    return response


@require_POST
@baseline_required
def baseline_record(request):
    form = BaselineSampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The baseline sample was not recorded: see the form.")
        return _page(request, baseline_form=form, status=400)
    try:
        sample = services.baseline_sample_create(account=request.user.account, actor=request.user,
                                                 **form.cleaned_data)
    except ServiceError as exc:
        form.add_error(None, exc.detail)
        return _page(request, baseline_form=form, status=http_status(exc))
    messages.success(request, f"Baseline sample of {sample.minutes} min recorded.")
    return redirect(reverse("handoffs:metrics") + "#baseline")


@require_POST
@baseline_required
def baseline_delete(request, sample_id):
    sample = BaselineSample.objects.for_account(request.user.account).filter(pk=sample_id).first()
    if sample is None:  # another account's sample is "not found", never "forbidden"
        raise Http404("No such baseline sample.")
    services.baseline_sample_delete(sample=sample, actor=request.user)
    messages.success(request, f"Baseline sample of {sample.minutes} min deleted.")
    return redirect(reverse("handoffs:metrics") + "#baseline")


def nav_item(user, **_signal) -> dict | None:
    """The "Metrics" link of the navigation, for everyone who may see them."""
    if not rules.may_view_metrics(user):
        return None
    return {"label": "Metrics", "url_name": "handoffs:metrics", "testid": "nav-metrics"}
