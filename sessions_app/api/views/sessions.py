from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountAdmin, IsAccountMember, IsEngineerOrAdmin
from resolutionflow.api.schema import SessionConflictSerializer, conflict
from sessions_app import selectors, services
from sessions_app.models import TroubleshootingSession

from ..filters import SessionFilter
from ..serializers import (
    FlowAnswerSerializer,
    FlowSerializer,
    PostedMessageSerializer,
    ResolveSerializer,
    SessionCreatedSerializer,
    SessionCreateSerializer,
    SessionDetailSerializer,
    SessionSerializer,
    SessionUpdateSerializer,
    TicketNoteSerializer,
)

WRITE_REFUSALS = {403: OpenApiResponse(description="Viewers, and engineers who neither own the session nor "
                                                   "hold the claim of its escalation (`permission_denied`)."),
                  409: conflict("The session is resolved or abandoned (`session_closed`, with its `status`).",
                                SessionConflictSerializer)}


@extend_schema_view(
    list=extend_schema(summary="Session History: the account's sessions, most recently active first"),
    retrieve=extend_schema(summary="One session, with the current step of a flow walk"),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Troubleshooting sessions of the account. Everyone in the account reads them; the owner,
    an admin, and the engineer holding the claim of the session's open escalation write."""

    model = TroubleshootingSession
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    # ?cursor= walks the list by creation, newest first: activity never moves a row there.
    cursor_ordering = ("-created_at", "-id")
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "preview": [IsAccountMember],
        "create": [IsEngineerOrAdmin],
        "partial_update": [IsEngineerOrAdmin],
        "flow_answer": [IsEngineerOrAdmin],
        "flow_back": [IsEngineerOrAdmin],
        "resolve": [IsEngineerOrAdmin],
        "draft_runbook": [IsAccountAdmin],
    }

    def scoped_queryset(self, *, account):
        # The list pages first and counts the page's items after (paginate_queryset): counting
        # in the paged statement would count every session of the account before the LIMIT.
        if self.action == "list":
            return selectors.session_page_list(account=account)
        return selectors.session_with_counts_list(account=account)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return None
        page = selectors.attach_people_and_runbooks(page, account=self.account)
        page = selectors.attach_item_counts(page, account=self.account)
        return selectors.attach_live_escalations(page, account=self.account)

    def get_serializer_class(self):
        return SessionSerializer if self.action == "list" else SessionDetailSerializer

    def filter_queryset(self, queryset):
        # The filters shape the list; a session addressed by id is found whatever the query string.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _detail(self, session, *, status_code=status.HTTP_200_OK):
        """The session as it is now, counts included: re-read after a write."""
        fresh = self.get_queryset().get(pk=session.pk)
        return Response(SessionDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(request=SessionCreateSerializer, responses={201: SessionCreatedSerializer},
                   summary="Start an Assistant or FlowPilot session (an Assistant session's opening is answered)")
    def create(self, request, *args, **kwargs):
        serializer = SessionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        session = services.session_create(account=self.account, owner=request.user, **serializer.validated_data)
        response = self._detail(session, status_code=status.HTTP_201_CREATED)
        opening = session.opening
        response.data["opening"] = (PostedMessageSerializer(opening, context=self.get_serializer_context()).data
                                    if opening is not None else None)
        return response

    @extend_schema(request=SessionUpdateSerializer, responses={200: SessionDetailSerializer, **WRITE_REFUSALS},
                   summary="Change the title, problem, client or ticket reference")
    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        serializer = SessionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_update(session=session, actor=request.user, **serializer.validated_data)
        return self._detail(session)

    @extend_schema(responses={200: TicketNoteSerializer}, summary="The ticket note drafted from the session")
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        note = services.session_preview(session=self.get_object())
        return Response(TicketNoteSerializer(note).data)

    @extend_schema(
        request=FlowAnswerSerializer,
        responses={200: SessionDetailSerializer, **WRITE_REFUSALS,
                   409: conflict("`not_current_step` (with `current_step`) when the step is no longer the "
                                 "current one; `not_a_flow_session`; `session_closed`.", SessionConflictSerializer)},
        summary="Answer the current step of a FlowPilot session",
    )
    @action(detail=True, methods=["post"], url_path="flow/answer", url_name="flow-answer")
    def flow_answer(self, request, pk=None):
        session = self.get_object()
        serializer = FlowAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.flow_answer(session=session, actor=request.user, **serializer.validated_data)
        return self._detail(session)

    @extend_schema(request=None, responses={
        200: SessionDetailSerializer, **WRITE_REFUSALS,
        409: conflict("`at_start` on the first step; `not_a_flow_session`; `session_closed`.",
                      SessionConflictSerializer)},
                   summary="Undo the last answer of a FlowPilot session (409 `at_start` on the first step)")
    @action(detail=True, methods=["post"], url_path="flow/back", url_name="flow-back")
    def flow_back(self, request, pk=None):
        session = services.flow_step_back(session=self.get_object(), actor=request.user)
        return self._detail(session)

    @extend_schema(request=ResolveSerializer, responses={200: SessionDetailSerializer, **WRITE_REFUSALS},
                   summary="Close the session as fixed, with what fixed it")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        session = self.get_object()
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_resolve(session=session, actor=request.user, **serializer.validated_data)
        return self._detail(session)

    @extend_schema(request=None, responses={
        201: FlowSerializer,
        403: OpenApiResponse(description="Only admins of the account (`permission_denied`)."),
        409: conflict("The session is not resolved (`not_resolved`, with `status`).", SessionConflictSerializer),
    }, summary="Turn a resolved session's resolution into a draft runbook (inactive until activated)")
    @action(detail=True, methods=["post"], url_path="draft-runbook", url_name="draft-runbook")
    def draft_runbook(self, request, pk=None):
        flow = services.flow_draft_from_session(session=self.get_object(), actor=request.user)
        return Response(FlowSerializer(flow, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
