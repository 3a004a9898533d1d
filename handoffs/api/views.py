"""Escalation Mode API views. Every state change is a service call (handoffs.services); the
views look objects up through the caller's account, so another account's ids are 404."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountAdmin, IsAccountMember, IsEngineerOrAdmin
from handoffs import selectors, services
from handoffs.events import event_message, message_for_reader
from handoffs.models import BaselineSample, Handoff, HandoffEvent
from resolutionflow.api.filters import SEQ_MAX, query_int, refuse_unknown_parameters
from resolutionflow.api.schema import HandoffConflictSerializer, conflict
from sessions_app.models import TroubleshootingSession
from sessions_app.selectors import session_list

from .filters import HandoffFilter
from .serializers import (
    AccountEventsSerializer,
    BaselineSampleCreateSerializer,
    BaselineSampleSerializer,
    HandoffCancelSerializer,
    HandoffDetailSerializer,
    HandoffEscalateSerializer,
    HandoffEventPageSerializer,
    HandoffResolveSerializer,
    HandoffReturnSerializer,
    HandoffSerializer,
)

# The audit trail's page size (``?limit=``).
EVENTS_LIMIT_DEFAULT = 100
EVENTS_LIMIT_MAX = 200

REFUSALS = {409: conflict("`already_claimed` (with `claimed_by` and `status`), `invalid_transition` (with "
                          "`status`), `session_closed`.", HandoffConflictSerializer)}


QUEUE_ORDERING = ("urgency_rank", "created_at", "pk")  # most urgent first, then the one waiting longest


def handoff_queryset(account):
    return selectors.handoff_list(account=account).order_by(*QUEUE_ORDERING)


class HandoffContextMixin:
    def get_serializer_context(self):
        # One clock for the whole response: every row's age is measured from the same instant.
        return {**super().get_serializer_context(), "now": timezone.now()}

    def handoff_response(self, handoff, *, status_code=status.HTTP_200_OK):
        fresh = handoff_queryset(self.account).get(pk=handoff.pk)
        return Response(HandoffDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code)


class SessionHandoffViewSet(HandoffContextMixin, ScopedGenericViewSet):
    """Escalate a session: its owner, or any engineer or admin for them (peer escalation)."""

    model = TroubleshootingSession
    serializer_class = HandoffEscalateSerializer
    action_permissions = {"handoff": [IsEngineerOrAdmin]}

    def scoped_queryset(self, *, account):
        return session_list(account=account)

    @extend_schema(request=HandoffEscalateSerializer, responses={
        201: HandoffDetailSerializer,
        409: conflict("`already_escalated` (with the live escalation's `handoff` and its `status`), "
                      "`session_closed` (with the session's `status`).", HandoffConflictSerializer)},
                   summary="Escalate a session", tags=["handoffs"])
    @action(detail=True, methods=["post"])
    def handoff(self, request, pk=None):
        session = self.get_object()
        serializer = HandoffEscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = services.handoff_escalate(session=session, actor=request.user, **serializer.validated_data)
        return self.handoff_response(handoff, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["handoffs"])
class HandoffViewSet(HandoffContextMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """The escalation queue: most urgent first, then oldest. Pick-up is race-safe: exactly one
    claimer wins; the others get 409 ``already_claimed`` naming who holds it."""

    model = Handoff
    serializer_class = HandoffSerializer
    filterset_class = HandoffFilter
    # ?cursor= walks the queue in its own order (urgency never changes after escalation).
    cursor_ordering = ("urgency_rank", "created_at", "id")
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "events": [IsAccountMember],
        "claim": [IsEngineerOrAdmin],
        "release": [IsEngineerOrAdmin],
        "return_": [IsEngineerOrAdmin],
        "resolve": [IsEngineerOrAdmin],
        "cancel": [IsEngineerOrAdmin],
    }

    def scoped_queryset(self, *, account):
        if self.action == "list":
            # A queue row shows no context snapshot (most of each row's bytes), and its session and
            # people come for the page only (paginate_queryset), not joined to every row.
            return Handoff.objects.for_account(account).order_by(*QUEUE_ORDERING).only(*selectors.QUEUE_ROW_FIELDS)
        return handoff_queryset(account)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.attach_queue_relations(page, account=self.account)

    def get_serializer_class(self):
        return HandoffDetailSerializer if self.action == "retrieve" else HandoffSerializer

    def filter_queryset(self, queryset):
        # The queue's filters (and its default of open + claimed) describe the list; an
        # escalation named by id is found whatever its status.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(
        responses={200: HandoffEventPageSerializer},
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description=(
                "Only events with a larger seq (default 0: from the start). To read on, pass the last "
                "seq of the page while `has_more` is true.")),
            OpenApiParameter("limit", OpenApiTypes.INT, description=(
                f"Events per page, 1 to {EVENTS_LIMIT_MAX} (default {EVENTS_LIMIT_DEFAULT}).")),
        ],
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        """The audit trail, oldest first, a page at a time: events with ``seq`` > ``after``.
        ``seq`` is the account's event number, so the numbers of one escalation's events have
        gaps; ``last_seq`` is the seq of this escalation's newest event (0 if none)."""
        handoff = self.get_object()
        refuse_unknown_parameters(request, {"after", "limit"})
        after = query_int(request, "after", low=0, high=SEQ_MAX) or 0
        limit = query_int(request, "limit", low=1, high=EVENTS_LIMIT_MAX) or EVENTS_LIMIT_DEFAULT
        trail = HandoffEvent.objects.for_account(self.account).filter(handoff=handoff)
        rows = list(trail.filter(seq__gt=after).select_related("actor").order_by("seq")[: limit + 1])
        last = trail.order_by("-seq").values_list("seq", flat=True).first()
        body = {"results": rows[:limit], "has_more": len(rows) > limit, "last_seq": last or 0}
        return Response(HandoffEventPageSerializer(body).data)

    @extend_schema(request=None, responses={200: HandoffDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Pick up an escalation (not one you raised or whose session is yours)."""
        handoff = services.handoff_claim(handoff=self.get_object(), actor=request.user)
        return self.handoff_response(handoff)

    @extend_schema(request=None, responses={200: HandoffDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Put a claimed escalation back on the queue (the claimant or an admin)."""
        handoff = services.handoff_release(handoff=self.get_object(), actor=request.user)
        return self.handoff_response(handoff)

    @extend_schema(request=HandoffReturnSerializer, responses={200: HandoffDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Hand the session back to the technician with a note of what to do next."""
        serializer = HandoffReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = services.handoff_return(handoff=self.get_object(), actor=request.user,
                                          note=serializer.validated_data["note"])
        return self.handoff_response(handoff)

    @extend_schema(request=HandoffResolveSerializer, responses={200: HandoffDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve the problem: the escalation and its session close with the resolution."""
        serializer = HandoffResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = services.handoff_resolve(handoff=self.get_object(), actor=request.user,
                                           resolution=serializer.validated_data["resolution"])
        return self.handoff_response(handoff)

    @extend_schema(request=HandoffCancelSerializer, responses={200: HandoffDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw an open escalation (whoever raised it, the session's owner, or an admin)."""
        serializer = HandoffCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handoff = services.handoff_cancel(handoff=self.get_object(), actor=request.user,
                                          note=serializer.validated_data["note"])
        return self.handoff_response(handoff)


class AccountEventsViewSet(ScopedGenericViewSet):
    """The account's escalation events after a ``seq``: how any client catches up after a
    reconnect or a gap (docs/architecture.md#realtime-events)."""

    model = HandoffEvent
    # Not a page-numbered list: ``after`` and ``limit`` walk it (the action is "feed", not "list").
    pagination_class = None
    query_parameters = ("after", "limit")
    action_permissions = {"feed": [IsAccountMember]}

    def scoped_queryset(self, *, account):
        return HandoffEvent.objects.for_account(account)

    @extend_schema(
        tags=["realtime"], summary="Catch up on escalation events",
        description="Each event is exactly the websocket message "
                    "`{\"event\": \"handoff.<kind>\", \"seq\", \"occurred_at\", \"handoff\"}`; its `handoff` "
                    "is the escalation's current state (not its state at the time of that event). Ask "
                    "with `after` = the last `seq` you applied; when `has_more` is true, ask again with the "
                    "last `seq` returned. Only the caller's account's events.",
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description="Only events with a larger seq (default 0)."),
            OpenApiParameter("limit", OpenApiTypes.INT,
                             description=f"At most this many events, 1 to {selectors.EVENTS_LIMIT_MAX} "
                                         f"(default {selectors.EVENTS_LIMIT_DEFAULT})."),
        ],
        responses={200: AccountEventsSerializer},
    )
    def feed(self, request, *args, **kwargs):
        refuse_unknown_parameters(request, self.query_parameters)
        after = query_int(request, "after", low=0, high=SEQ_MAX)
        limit = query_int(request, "limit", low=1, high=selectors.EVENTS_LIMIT_MAX)
        # The newest number first: an event committed meanwhile is then in results, or after last_seq.
        last_seq = selectors.last_event_seq(account=self.account)
        events, has_more = selectors.account_events(
            account=self.account, after=after or 0,
            limit=limit if limit is not None else selectors.EVENTS_LIMIT_DEFAULT)
        # Each escalation with the caller's own actions, as their socket gives it (no query per event).
        results = [message_for_reader(event_message(event, event.handoff), request.user) for event in events]
        return Response({"results": results,
                         "last_seq": max(last_seq, events[-1].seq if events else 0), "has_more": has_more})


@extend_schema(tags=["handoffs"])
class BaselineSampleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """The manual baseline: minutes from "I'm stuck" to a senior's first action, measured
    before or beside the pilot. Everyone reads it; admins keep it."""

    model = BaselineSample
    serializer_class = BaselineSampleSerializer
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "create": [IsAccountAdmin],
        "destroy": [IsAccountAdmin],
    }

    def scoped_queryset(self, *, account):
        return BaselineSample.objects.for_account(account).select_related("recorded_by")

    @extend_schema(request=BaselineSampleCreateSerializer, responses={201: BaselineSampleSerializer})
    def create(self, request, *args, **kwargs):
        serializer = BaselineSampleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sample = services.baseline_sample_create(account=self.account, actor=request.user,
                                                 **serializer.validated_data)
        return Response(BaselineSampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        services.baseline_sample_delete(sample=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
