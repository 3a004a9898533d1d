from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.errors import ServiceError
from accounts.models import Account, ApiToken, Invitation, RealtimeTicket, Role, User
from accounts.permissions import IsAccountAdmin, IsAccountMember
from accounts.selectors import INVITATION_STATUSES
from resolutionflow.api.filters import StrictBooleanFilter
from resolutionflow.api.schema import conflict

from .base import ScopedGenericViewSet
from .serializers import (
    AccountSerializer,
    InvitationAcceptedSerializer,
    InvitationAcceptSerializer,
    InvitationCreateSerializer,
    InvitationPreviewSerializer,
    InvitationSerializer,
    IssuedTokenSerializer,
    MeSerializer,
    OwnTokenSerializer,
    RealtimeTicketSerializer,
    TokenObtainSerializer,
    TokenRevokeSerializer,
    TokenSerializer,
    UserSerializer,
    UserUpdateSerializer,
)

INVITATION_CLOSED = conflict("The invitation was accepted or revoked (`invalid_transition`).")


class AuthThrottle(SimpleRateThrottle):
    """Password guesses per client address; the rate is read per request so it can be tuned."""

    scope = "auth"

    def get_rate(self):
        return settings.AUTH_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenObtainView(APIView):
    """Exchange an email and password for an API key (``Authorization: Token <key>``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=TokenObtainSerializer, responses={201: IssuedTokenSerializer}, tags=["auth"])
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The Django request: login lockout (accounts.lockout) marks it for its middleware.
        user = authenticate(request._request, email=serializer.validated_data["email"],
                            password=serializer.validated_data["password"])
        if user is None:
            raise ServiceError("Email or password is wrong, or the user is deactivated.",
                               code="invalid_credentials")
        issued = services.api_token_create(user=user, name=serializer.validated_data.get("name", ""))
        body = {"token": issued.key, "id": issued.token.id, "expires_at": issued.token.expires_at}
        return Response(IssuedTokenSerializer(body).data, status=status.HTTP_201_CREATED)


class InvitationThrottle(AuthThrottle):
    """Invitation links tried per client address, at the password logins' rate
    (``AUTH_THROTTLE_RATE``) but counted apart from them."""

    scope = "invitation"


INVITATION_REFUSALS = {
    404: OpenApiResponse(description="The link is not one of ours (`invalid_invitation`)."),
    410: OpenApiResponse(description="The invitation was used, revoked or has expired (`invitation_accepted`, "
                                     "`invitation_revoked`, `invitation_expired`)."),
    429: OpenApiResponse(description="Too many tries from this address (`throttled`, with `retry_after`)."),
}


class InvitationAcceptView(APIView):
    """An invitation link, for a separate frontend: read what it invites to, then accept it
    with a name and a password (the page's ``/invitations/<token>/`` does the same through the
    same service). No login is needed (nor used: a signed-in caller is not switched, it gets a
    key for the new login); tries are throttled per address like ``auth/token/``."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [InvitationThrottle]

    @extend_schema(responses={200: InvitationPreviewSerializer, **INVITATION_REFUSALS}, tags=["auth"],
                   summary="What an invitation link invites to")
    def get(self, request, token):
        invitation = services.invitation_pending(token)
        body = {"email": invitation.email, "role": invitation.role,
                "account": {"name": invitation.account.name, "slug": invitation.account.slug},
                "invited_by": invitation.invited_by.name if invitation.invited_by_id else None,
                "expires_at": invitation.expires_at}
        return Response(InvitationPreviewSerializer(body).data)

    @extend_schema(request=InvitationAcceptSerializer,
                   responses={201: InvitationAcceptedSerializer, **INVITATION_REFUSALS}, tags=["auth"],
                   summary="Accept an invitation: create the login, answer it with a key")
    def post(self, request, token):
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.invitation_pending(token)  # an unusable link says so before the password is judged
        try:
            with transaction.atomic():
                user = services.invitation_accept(token=token, display_name=serializer.validated_data["name"],
                                                  password=serializer.validated_data["password"])
                issued = services.api_token_create(user=user, name="invitation accepted")
        except DjangoValidationError as exc:  # the password validators: nothing was created
            raise exceptions.ValidationError(
                {"password": [exceptions.ErrorDetail(error.messages[0], code=error.code or "invalid")
                              for error in exc.error_list]}) from None
        body = {"user": user, "token": issued.key, "token_id": issued.token.id,
                "expires_at": issued.token.expires_at}
        return Response(InvitationAcceptedSerializer(body).data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    """Revoke the token this request uses, or another of your own tokens by id."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TokenRevokeSerializer, tags=["auth"], responses={
        200: TokenSerializer,
        404: OpenApiResponse(description="No token of yours has that `id` (`not_found`).")})
    def post(self, request):
        serializer = TokenRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token_id = serializer.validated_data.get("id")
        if token_id is not None:
            token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
        elif isinstance(request.auth, ApiToken):
            token = request.auth
        else:
            raise ServiceError("Name the token to revoke with id, or call this with a token.",
                               code="no_token")
        token = services.api_token_revoke(token=token)
        return Response(TokenSerializer(token).data)


class OwnTokenViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """The caller's own API tokens: list the ones that still work, revoke one. Any signed-in
    person (platform staff too, as ``auth/token/revoke/``); scoped by the person, so another
    person's token is a 404 whatever their account."""

    model = ApiToken
    serializer_class = OwnTokenSerializer
    action_permissions = {"list": [IsAuthenticated], "destroy": [IsAuthenticated]}

    def scoped_queryset(self, *, account):
        return selectors.api_tokens_usable(user=self.request.user)

    @extend_schema(tags=["auth"], summary="My API tokens that still work (never the keys)")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["auth"], request=None, responses={204: None},
                   summary="Revoke one of my tokens: it stops working and the websockets opened with it close (4401)")
    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RealtimeTicketViewSet(ScopedGenericViewSet):
    """A short-lived, single-use ticket for a websocket handshake (``?ticket=`` on the socket
    URL): how a browser on another origin opens ``/ws/v1/queue/`` and ``/ws/v1/sessions/<id>/``."""

    serializer_class = RealtimeTicketSerializer
    model = RealtimeTicket
    action_permissions = {"create": [IsAccountMember]}

    def scoped_queryset(self, *, account):
        # Tickets are never listed or read back; only the caller's own exist for them.
        return RealtimeTicket.objects.filter(user=self.request.user, user__account=account)

    @extend_schema(
        request=None, responses={201: RealtimeTicketSerializer}, tags=["realtime"],
        summary="Get a websocket ticket",
        description="Any member of an account (viewers too), by token or by cookie with CSRF. The body "
                    "is empty. The ticket is valid once, for `expires_in` seconds "
                    "(`REALTIME_TICKET_TTL_SECONDS`, default 30): ask for a new one before each connect. "
                    "A socket opened with a ticket asked for by a token closes with 4401 when that token "
                    "is revoked or expires; one asked for by a cookie login closes with 4401 when that login logs "
                    "out or expires, and its unused tickets stop working then. "
                    "See the AsyncAPI document at `/api/v1/asyncapi.json`.",
    )
    def create(self, request, *args, **kwargs):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        session_key = None if token else getattr(request.session, "session_key", None)
        issued = services.realtime_ticket_issue(user=request.user, api_token=token, session_key=session_key)
        body = {"ticket": issued.secret, "expires_at": issued.ticket.expires_at, "expires_in": issued.expires_in}
        return Response(RealtimeTicketSerializer(body).data, status=status.HTTP_201_CREATED)


class MeViewSet(ScopedGenericViewSet):
    """The signed-in user, their role and their account."""

    serializer_class = MeSerializer
    model = User
    action_permissions = {"retrieve": [IsAccountMember]}

    def scoped_queryset(self, *, account):
        return selectors.user_list(account=account)

    def get_object(self):
        return self.request.user

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


class AccountViewSet(ScopedGenericViewSet):
    """The user's own account and its settings (admins may change them)."""

    serializer_class = AccountSerializer
    model = Account
    action_permissions = {"retrieve": [IsAccountMember], "partial_update": [IsAccountAdmin]}

    def scoped_queryset(self, *, account):
        return Account.objects.filter(pk=account.pk)

    def get_object(self):
        return self.get_queryset().get()

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request, *args, **kwargs):
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        account = services.account_update(account=account, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(account).data)


class UserFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """The account's people. Everyone may list them; admins change roles and deactivate."""

    serializer_class = UserSerializer
    model = User
    filterset_class = UserFilter
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "partial_update": [IsAccountAdmin],
    }

    def scoped_queryset(self, *, account):
        return selectors.user_list(account=account)

    @extend_schema(request=UserUpdateSerializer, responses={
        200: UserSerializer,
        409: conflict("The account's last active admin cannot stop being one (`last_admin`).")})
    def partial_update(self, request, *args, **kwargs):
        user = self.get_object()
        serializer = UserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=user, actor=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)


class InvitationFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)
    status = filters.ChoiceFilter(choices=[(s, s) for s in INVITATION_STATUSES], method="filter_status",
                                  help_text="pending, accepted, revoked or expired.")

    class Meta:
        model = Invitation
        fields = ["role", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(selectors.invitation_status_q(value))


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """Invitations to the account (admins only). The link is emailed; it is never readable here."""

    serializer_class = InvitationSerializer
    model = Invitation
    filterset_class = InvitationFilter
    action_permissions = {
        "list": [IsAccountAdmin],
        "retrieve": [IsAccountAdmin],
        "create": [IsAccountAdmin],
        "revoke": [IsAccountAdmin],
        "resend": [IsAccountAdmin],
    }

    def scoped_queryset(self, *, account):
        return selectors.invitation_list(account=account)

    @extend_schema(request=InvitationCreateSerializer, responses={
        201: InvitationSerializer,
        409: conflict("The email already has a login (`user_exists`) or is a member (`already_member`).")})
    def create(self, request, *args, **kwargs):
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.invitation_create(account=self.account, invited_by=request.user,
                                            **serializer.validated_data)
        return Response(InvitationSerializer(issued.invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: InvitationSerializer, 409: INVITATION_CLOSED})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object(), actor=request.user)
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses={200: InvitationSerializer, 409: INVITATION_CLOSED})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        issued = services.invitation_resend(invitation=self.get_object(), actor=request.user)
        return Response(InvitationSerializer(issued.invitation).data)
