"""``GET /api/v1/metrics/``: the pilot's figures (handoffs.metrics), the same the page, the
CSV and ``pilot_report`` show. Minutes and percentages are JSON numbers with one decimal
place (``7.0``, ``4.5``) or null; counts are integers."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts import timezones
from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountMember
from handoffs import metrics, rules
from handoffs.models import Handoff
from resolutionflow.api import serializers as api
from resolutionflow.api.filters import refuse_unknown_parameters


def Minutes(**kwargs):  # noqa: N802 - reads as a field type
    """Minutes (or a percentage) with one decimal place, as a JSON number."""
    return serializers.DecimalField(max_digits=12, decimal_places=1, coerce_to_string=False, allow_null=True,
                                    read_only=True, **kwargs)


class MetricsQuerySerializer(api.Serializer):
    since = serializers.DateField(required=False,
                                  help_text="First day, in the account's time zone (default: 55 days before until).")
    until = serializers.DateField(required=False, help_text="Last day, inclusive (default: today).")

    def _in_range(self, value):
        if not timezones.FIRST_DAY <= value <= timezones.LAST_DAY:
            raise serializers.ValidationError(
                f"Use a day from {timezones.FIRST_DAY} to {timezones.LAST_DAY}.", code="out_of_range")
        return value

    def validate_since(self, value):
        return self._in_range(value)

    def validate_until(self, value):
        return self._in_range(value)


class MeasureSerializer(api.Serializer):
    count = serializers.IntegerField(help_text="Escalations measured (the step happened).")
    median_minutes = Minutes(source="median")
    p90_minutes = Minutes(source="p90", help_text="90th percentile, nearest rank.")
    pending = serializers.IntegerField(help_text="Still waiting for this step (open, or claimed without an "
                                                 "action); never counted as zero.")
    closed_without = serializers.IntegerField(help_text="Closed before this step happened (e.g. the technician "
                                                        "resolved it first); not measured.")


class ImprovementSerializer(api.Serializer):
    baseline_median_minutes = Minutes(source="baseline_median")
    minutes = Minutes(help_text="Baseline median − median time to first action; positive is faster.")
    percent = Minutes(help_text="The same as a percentage of the baseline median.")
    ci_low_percent = Minutes(help_text="95 % bootstrap interval (fixed seed); null when thin.")
    ci_high_percent = Minutes()
    ci_low_minutes = Minutes()
    ci_high_minutes = Minutes()
    escalations = serializers.IntegerField(help_text="Escalations with a first action it rests on.")
    samples = serializers.IntegerField(help_text="Baseline samples it rests on.")
    thin = serializers.BooleanField(help_text=f"Fewer than {metrics.THIN_BELOW} escalations: too few to claim "
                                              "a difference.")


class GroupSerializer(api.Serializer):
    key = serializers.CharField(help_text="all, an urgency, or a user id (empty: not picked up yet).")
    label = serializers.CharField()
    escalations = serializers.IntegerField(help_text="Escalations raised in the range, cancelled ones excluded.")
    pick_up = MeasureSerializer(help_text="Time to pick-up: first claim − created.")
    first_action = MeasureSerializer(help_text="Time to first action: first_action_at − created_at.")
    improvement = ImprovementSerializer(allow_null=True, help_text="Null without a first action or a baseline.")


class BaselineFiguresSerializer(api.Serializer):
    samples = serializers.IntegerField()
    median_minutes = Minutes(source="median")
    p90_minutes = Minutes(source="p90")


class WeekSerializer(api.Serializer):
    start = serializers.DateField(help_text="Monday (or the range's first day).")
    end = serializers.DateField(help_text="Sunday (or the range's last day), inclusive.")
    escalations = serializers.IntegerField()
    pick_up_median_minutes = Minutes(source="pick_up.median")
    pick_up_count = serializers.IntegerField(source="pick_up.count")
    first_action_median_minutes = Minutes(source="first_action.median")
    first_action_count = serializers.IntegerField(source="first_action.count")


class PendingSerializer(api.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    urgency = serializers.CharField()
    status = serializers.CharField()
    technician = serializers.CharField()
    engineer = serializers.CharField(help_text="Who holds the claim (or held it, when released); empty when "
                                               "nobody has picked it up.")
    waiting_minutes = serializers.SerializerMethodField(help_text="Its age when the report was made.")

    def get_waiting_minutes(self, row) -> float | None:
        value = metrics.minutes(row.age_seconds)
        return None if value is None else float(value)


class MetricsSerializer(api.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    time_zone = serializers.CharField()
    generated_at = serializers.DateTimeField()
    headline = serializers.CharField(help_text="The comparison in one sentence, with how many escalations and "
                                               "samples it rests on.")
    thin_statement = serializers.CharField(allow_null=True, help_text="Set when the comparison is too thin.")
    baseline = BaselineFiguresSerializer()
    overall = GroupSerializer()
    cancelled_excluded = serializers.IntegerField(source="cancelled")
    weeks = WeekSerializer(many=True)
    by_urgency = GroupSerializer(many=True)
    by_engineer = GroupSerializer(many=True, help_text="Engineer: who made the first action, else who holds "
                                                       "(or first held) the claim.")
    by_technician = GroupSerializer(many=True, help_text="Technician: who escalated (the requester).")
    pending = PendingSerializer(many=True, help_text="Live escalations without a first action, oldest first.")


class MayViewMetrics(IsAccountMember):
    """handoffs.rules.may_view_metrics, for the API."""

    def has_permission(self, request, view):
        return super().has_permission(request, view) and rules.may_view_metrics(request.user)


class MetricsViewSet(ScopedGenericViewSet):
    """Time to pick-up and time to first action over a range of days (the account's time
    zone), against the manual baseline."""

    model = Handoff
    serializer_class = MetricsSerializer
    action_permissions = {"retrieve": [MayViewMetrics]}

    def scoped_queryset(self, *, account):
        return Handoff.objects.for_account(account)

    @extend_schema(parameters=[MetricsQuerySerializer],
                   responses={200: MetricsSerializer}, tags=["handoffs"],
                   summary="Pilot metrics against the baseline")
    def retrieve(self, request, *args, **kwargs):
        fields = MetricsQuerySerializer().fields
        refuse_unknown_parameters(request, set(fields))  # query parameters, not a body: unknown_filter
        query = MetricsQuerySerializer(data={name: request.query_params[name] for name in fields
                                             if name in request.query_params})
        query.is_valid(raise_exception=True)
        report = metrics.pilot_metrics(account=self.account, **query.validated_data)
        return Response(MetricsSerializer(report).data)
