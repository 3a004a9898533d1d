"""What lives inside one session: its transcript, facts and fixes.

Each viewset finds the session through the caller's account first, so another account's
session id is a 404 before anything else happens, and its items are looked up among that
session's rows only (an item id from another session is a 404 too).
"""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountMember, IsEngineerOrAdmin
from resolutionflow.api.schema import FixConflictSerializer, SessionConflictSerializer, conflict
from sessions_app import selectors, services
from sessions_app.models import Fact, Fix, Message

from ..filters import FactFilter, FixFilter, MessageFilter
from ..serializers import (
    FactCreateSerializer,
    FactSerializer,
    FactUpdateSerializer,
    FixCreateSerializer,
    FixSerializer,
    FixStatusSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    PostedMessageSerializer,
)

SESSION_ID = OpenApiParameter("session_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                              description="The session's id.")
SINCE_HELP = ("Only items {what} strictly after this instant: ISO 8601 with an offset (without one, the account's "
              "time zone; a date means its first instant). Pass the newest `{field}` you hold to load what is new. "
              "A value that is not a time is 400 `invalid_filter`.")


def since(what: str, field: str) -> OpenApiParameter:
    return OpenApiParameter("since", OpenApiTypes.STR, description=SINCE_HELP.format(what=what, field=field))


WRITE_REFUSALS = {403: OpenApiResponse(description="Viewers, and engineers who neither own the session nor "
                                                   "hold the claim of its escalation (`permission_denied`)."),
                  409: conflict("The session is resolved or abandoned (`session_closed`, with its `status`).",
                                SessionConflictSerializer)}


class SessionItemViewSet(ScopedGenericViewSet):
    """Base of the viewsets nested under ``sessions/<session_id>/``."""

    @cached_property
    def session(self):
        session = get_object_or_404(selectors.session_list(account=self.account), pk=self.kwargs["session_id"])
        session.account = self.account  # the same row (found through it); spares services a query
        return session


@extend_schema_view(
    list=extend_schema(parameters=[SESSION_ID, since("posted", "created_at")],
                       summary="The session's transcript, oldest first"),
    create=extend_schema(
        parameters=[SESSION_ID], request=MessageCreateSerializer,
        responses={201: PostedMessageSerializer, **WRITE_REFUSALS},
        summary="Post a technician message (answered by the assistant in Assistant sessions) or a note",
    ),
)
class MessageViewSet(mixins.ListModelMixin, SessionItemViewSet):
    model = Message
    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    cursor_ordering = ("created_at", "id")
    action_permissions = {"list": [IsAccountMember], "create": [IsEngineerOrAdmin]}

    def scoped_queryset(self, *, account):
        return selectors.message_list(session=self.session)

    def create(self, request, *args, **kwargs):
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        posted = services.message_post(session=self.session, actor=request.user, **serializer.validated_data)
        return Response(PostedMessageSerializer(posted).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[SESSION_ID, since("set or changed", "updated_at")],
                       summary="What is known about the environment"),
    retrieve=extend_schema(parameters=[SESSION_ID]),
    create=extend_schema(parameters=[SESSION_ID], request=FactCreateSerializer,
                         responses={201: FactSerializer, **WRITE_REFUSALS},
                         summary="Set a fact (a key that exists takes the new value: one value per key)"),
    partial_update=extend_schema(parameters=[SESSION_ID], request=FactUpdateSerializer,
                                 responses={200: FactSerializer, **WRITE_REFUSALS, 409: conflict(
                                     "Another fact has that key (`duplicate_fact`), or the session is closed "
                                     "(`session_closed`, with its `status`).", SessionConflictSerializer)},
                                 summary="Rename a fact or change its value (409 `duplicate_fact`)"),
    destroy=extend_schema(parameters=[SESSION_ID], responses={204: None, **WRITE_REFUSALS}),
)
class FactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SessionItemViewSet):
    model = Fact
    serializer_class = FactSerializer
    filterset_class = FactFilter
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "create": [IsEngineerOrAdmin],
        "partial_update": [IsEngineerOrAdmin],
        "destroy": [IsEngineerOrAdmin],
    }

    def scoped_queryset(self, *, account):
        return selectors.fact_list(session=self.session)

    def get_object(self):
        fact = super().get_object()
        fact.session = self.session
        return fact

    def create(self, request, *args, **kwargs):
        serializer = FactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fact = services.fact_set(session=self.session, actor=request.user, **serializer.validated_data)
        return Response(FactSerializer(fact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        fact = self.get_object()
        serializer = FactUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fact = services.fact_update(fact=fact, actor=request.user, **serializer.validated_data)
        return Response(FactSerializer(fact).data)

    def destroy(self, request, *args, **kwargs):
        services.fact_delete(fact=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[SESSION_ID, since("proposed or changed", "updated_at")],
                       summary="Fixes proposed and tried, oldest first"),
    retrieve=extend_schema(parameters=[SESSION_ID]),
    create=extend_schema(parameters=[SESSION_ID], request=FixCreateSerializer,
                         responses={201: FixSerializer, **WRITE_REFUSALS}, summary="Propose a fix"),
    partial_update=extend_schema(
        parameters=[SESSION_ID], request=FixStatusSerializer,
        responses={200: FixSerializer, 403: WRITE_REFUSALS[403],
                   409: conflict("`invalid_transition` (with the current `status`), `another_fix_active` (with "
                                 "`active_fix`), `session_closed`.", FixConflictSerializer)},
        summary="Move a fix along: make it active, mark it worked, failed or skipped",
    ),
)
class FixViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, SessionItemViewSet):
    model = Fix
    serializer_class = FixSerializer
    filterset_class = FixFilter
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "create": [IsEngineerOrAdmin],
        "partial_update": [IsEngineerOrAdmin],
    }

    def scoped_queryset(self, *, account):
        return selectors.fix_list(session=self.session)

    def get_object(self):
        fix = super().get_object()
        fix.session = self.session
        return fix

    def create(self, request, *args, **kwargs):
        serializer = FixCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fix = services.fix_propose(session=self.session, actor=request.user, **serializer.validated_data)
        return Response(FixSerializer(fix).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        fix = self.get_object()
        serializer = FixStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fix = services.fix_set_status(fix=fix, actor=request.user, **serializer.validated_data)
        return Response(FixSerializer(fix).data)
