from rest_framework import serializers

from accounts.models import Account, ApiToken, Invitation, Role, User
from accounts.selectors import INVITATION_STATUSES
from resolutionflow.api import serializers as api


class AccountSerializer(api.ModelSerializer):
    webhook_configured = serializers.SerializerMethodField(
        help_text="Whether escalation events are POSTed to a webhook. Its signing secret is "
                  "generated on the server and never returned here.")

    class Meta:
        model = Account
        fields = ["id", "name", "slug", "time_zone", "unclaimed_alert_minutes", "webhook_url",
                  "webhook_configured", "created_at"]
        read_only_fields = ["id", "slug", "created_at"]
        # The URL can carry a token of its own (Slack's do), so it is written, never read back.
        extra_kwargs = {"webhook_url": {"write_only": True}}

    def get_webhook_configured(self, account) -> bool:
        return bool(account.webhook_url)


class UserSummarySerializer(api.ModelSerializer):
    """How a person appears inside other objects (owner, claimant, inviter). ``name`` is what
    the pages show: the display name, or the email when there is none."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "name", "role"]
        read_only_fields = fields

    @staticmethod
    def represent(user: User | None) -> dict | None:
        """``UserSummarySerializer(user).data`` built directly (resolutionflow.api.representation);
        None for no one."""
        if user is None:
            return None
        return {"id": str(user.pk), "email": user.email, "display_name": user.display_name, "name": user.name,
                "role": str(user.role)}


class UserSerializer(api.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "is_active", "date_joined", "last_login"]
        read_only_fields = ["id", "email", "display_name", "date_joined", "last_login"]


class UserUpdateSerializer(api.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send role and/or is_active.", code="empty")
        return attrs


class MeSerializer(api.ModelSerializer):
    account = AccountSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "role", "account"]
        read_only_fields = fields


class InvitationSerializer(api.ModelSerializer):
    invited_by = UserSummarySerializer(read_only=True)
    status = serializers.ChoiceField(choices=INVITATION_STATUSES, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "sent_at",
                  "expires_at", "accepted_at", "revoked_at"]
        read_only_fields = fields


class InvitationCreateSerializer(api.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class TokenObtainSerializer(api.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                 help_text="A label to tell your keys apart, e.g. 'dispatch board'.")


class TokenSerializer(api.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class IssuedTokenSerializer(api.Serializer):
    token = serializers.CharField(help_text="The key for `Authorization: Token <key>`; shown only once.")
    id = serializers.UUIDField()
    expires_at = serializers.DateTimeField()


class RealtimeTicketSerializer(api.Serializer):
    ticket = serializers.CharField(help_text="Opaque and URL-safe: open `/ws/v1/queue/?ticket=<ticket>` or "
                                             "`/ws/v1/sessions/<id>/?ticket=<ticket>` with it. Single use.")
    expires_at = serializers.DateTimeField(help_text="After this instant the ticket opens nothing.")
    expires_in = serializers.IntegerField(help_text="Seconds from issue to `expires_at`.")


class TokenRevokeSerializer(api.Serializer):
    id = serializers.UUIDField(required=False, help_text="One of your tokens; default: the one in use.")


class OwnTokenSerializer(api.ModelSerializer):
    """One of the caller's API tokens; the key itself is never shown again after it is issued."""

    name = serializers.CharField(read_only=True, help_text="The label given when it was issued (may be empty).")
    prefix = serializers.CharField(read_only=True, help_text="The key's first characters, to tell keys apart.")
    current = serializers.SerializerMethodField(help_text="Whether this request is made with this token.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class InvitationAccountSerializer(api.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class InvitationPreviewSerializer(api.Serializer):
    """What the holder of an invitation link is invited to: the page's "Join <account>"."""

    email = serializers.EmailField(help_text="The login the invitation creates.")
    role = serializers.ChoiceField(choices=Role.choices)
    account = InvitationAccountSerializer()
    invited_by = serializers.CharField(allow_null=True, help_text="Who invited them (null: the platform).")
    expires_at = serializers.DateTimeField()


class InvitationAcceptSerializer(api.Serializer):
    name = serializers.CharField(max_length=120, help_text="How colleagues see you in ResolutionFlow.")
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"},
                                     help_text="Checked by the server's password validators (400, errors.password).")


class InvitationAcceptedSerializer(api.Serializer):
    """The new login, and a key for it so the client is signed in at once."""

    user = MeSerializer()
    token = serializers.CharField(help_text="The key for `Authorization: Token <key>`; shown only once.")
    token_id = serializers.UUIDField()
    expires_at = serializers.DateTimeField(help_text="When the key stops working.")
