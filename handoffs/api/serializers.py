from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from handoffs import selectors
from handoffs.models import NOTE_MAX, BaselineSample, EventKind, Handoff, HandoffEvent, Urgency
from resolutionflow.api import serializers as api
from resolutionflow.api.representation import moment
from resolutionflow.api.schema import PersonRefSerializer
from sessions_app.models import FactSource, FixStatus, MessageKind, SessionMode, TroubleshootingSession

# What a claimant's first action in the session was (handoffs.services.on_session_activity).
FIRST_ACTION_KINDS = ["message", "note", "fact", "fix", "flow_answer", "resolve", "return"]
# An event's name on the websocket, the webhook and the audit trail.
EVENT_NAMES = [f"handoff.{kind}" for kind in EventKind.values]


# ---- the escalation's nested objects, typed for the schema -------------------------------


class ContextFactSerializer(api.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()
    source = serializers.ChoiceField(choices=FactSource.choices)


class ContextFixSerializer(api.Serializer):
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=FixStatus.choices)
    outcome_note = serializers.CharField(allow_blank=True)
    source = serializers.CharField()
    steps = serializers.CharField(allow_blank=True)


class ContextLineSerializer(api.Serializer):
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    author = serializers.CharField(allow_null=True, help_text="Null for the assistant.")
    body = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class ContextFlowStepSerializer(api.Serializer):
    step = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(required=False, help_text="The option chosen (steps of the path only).")


class HandoffContextSerializer(api.Serializer):
    """The snapshot taken at escalation (handoffs.context): what a senior reads first."""

    taken_at = serializers.DateTimeField()
    title = serializers.CharField(allow_blank=True)
    problem = serializers.CharField(allow_blank=True)
    client_name = serializers.CharField(allow_blank=True)
    ticket_ref = serializers.CharField(allow_blank=True)
    mode = serializers.ChoiceField(choices=SessionMode.choices)
    owner = serializers.CharField()
    flow = serializers.CharField(allow_null=True, allow_blank=True, help_text="The runbook's name (flow sessions).")
    session_minutes = serializers.IntegerField()
    facts = ContextFactSerializer(many=True)
    fixes = ContextFixSerializer(many=True)
    active_fix = serializers.CharField(allow_null=True, help_text="The title of the fix being tried.")
    transcript = ContextLineSerializer(many=True, help_text="The most recent messages, oldest first.")
    flow_path = ContextFlowStepSerializer(many=True)
    flow_current = ContextFlowStepSerializer(allow_null=True)
    note = serializers.CharField(allow_blank=True, help_text="Where the technician is stuck.")
    summary = serializers.CharField()


class HandoffEventPayloadSerializer(api.Serializer):
    """What an event adds, by its kind: ``created`` urgency and peer; ``released`` (by the
    system) reason and previous_claimant; ``first_action`` kind; ``resolved`` resolution;
    ``returned``/``cancelled`` note; ``alerted`` reason and threshold_minutes. Other kinds: {}."""

    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    peer = serializers.BooleanField(required=False, help_text="Escalated by a colleague of the owner.")
    reason = serializers.CharField(required=False)
    previous_claimant = PersonRefSerializer(required=False)
    kind = serializers.ChoiceField(choices=FIRST_ACTION_KINDS, required=False)
    resolution = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    threshold_minutes = serializers.IntegerField(required=False)


@extend_schema_field(HandoffContextSerializer)
class HandoffContextField(serializers.JSONField):
    pass


@extend_schema_field(HandoffEventPayloadSerializer)
class HandoffEventPayloadField(serializers.JSONField):
    pass


class SessionSummarySerializer(api.ModelSerializer):
    class Meta:
        model = TroubleshootingSession
        fields = ["id", "title", "client_name", "ticket_ref", "mode", "status"]
        read_only_fields = fields

    @staticmethod
    def represent(session) -> dict:
        """``SessionSummarySerializer(session).data`` built directly (resolutionflow.api.representation)."""
        return {"id": str(session.pk), "title": session.title, "client_name": session.client_name,
                "ticket_ref": session.ticket_ref, "mode": str(session.mode), "status": str(session.status)}


class HandoffMessageSerializer(api.ModelSerializer):
    """An escalation as every reader sees it, built once per event for the websockets, the
    events feed and the webhook (``handoffs.events.handoff_data``). ``requested_by`` is the
    session's owner, ``handed_off_by`` who pressed Escalate (a colleague, for a peer
    escalation), ``claimed_by`` who picked it up."""

    session = SessionSummarySerializer(read_only=True)
    requested_by = UserSummarySerializer(read_only=True)
    handed_off_by = UserSummarySerializer(read_only=True)
    claimed_by = UserSummarySerializer(read_only=True, allow_null=True)
    age_seconds = serializers.SerializerMethodField(
        help_text="Seconds since it was escalated (until it closed, for closed ones).")
    is_overdue = serializers.SerializerMethodField(
        help_text="Open longer than the account's unclaimed_alert_minutes (or already alerted).")
    first_action_kind = serializers.ChoiceField(
        choices=FIRST_ACTION_KINDS, allow_blank=True, read_only=True,
        help_text="What the claimant did first in the session; empty until then.")

    class Meta:
        model = Handoff
        fields = ["id", "status", "urgency", "note", "session", "requested_by", "handed_off_by", "claimed_by",
                  "created_at", "claimed_at", "first_action_at", "first_action_kind", "alerted_at", "closed_at",
                  "closing_note", "age_seconds", "is_overdue"]
        read_only_fields = fields

    def to_representation(self, handoff):
        """``Meta.fields``, built directly (resolutionflow.api.representation): the queue's rows,
        every event's message and every action's answer go through here."""
        person = UserSummarySerializer.represent
        zone = timezone.get_current_timezone()
        return {
            "id": str(handoff.pk), "status": str(handoff.status), "urgency": str(handoff.urgency),
            "note": handoff.note, "session": SessionSummarySerializer.represent(handoff.session),
            "requested_by": person(handoff.requested_by), "handed_off_by": person(handoff.handed_off_by),
            "claimed_by": person(handoff.claimed_by) if handoff.claimed_by_id else None,
            "created_at": moment(handoff.created_at, zone), "claimed_at": moment(handoff.claimed_at, zone),
            "first_action_at": moment(handoff.first_action_at, zone), "first_action_kind": handoff.first_action_kind,
            "alerted_at": moment(handoff.alerted_at, zone), "closed_at": moment(handoff.closed_at, zone),
            "closing_note": handoff.closing_note, "age_seconds": self.get_age_seconds(handoff),
            "is_overdue": self.get_is_overdue(handoff),
        }

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_age_seconds(self, handoff) -> int:
        end = handoff.closed_at or self._now()
        return max(0, int((end - handoff.created_at).total_seconds()))

    def get_is_overdue(self, handoff) -> bool:
        return selectors.is_overdue(handoff, now=self._now())


class HandoffSerializer(HandoffMessageSerializer):
    """A queue row: the escalation and what the caller may do to it now (``actions``, from
    ``handoffs.selectors.handoff_actions``, the rules the pages' buttons come from)."""

    actions = serializers.SerializerMethodField(help_text=(
        "What the caller may do to this escalation now: claim, cancel (open), release, return, resolve "
        "(claimed); empty when closed or for a viewer."))

    class Meta(HandoffMessageSerializer.Meta):
        fields = [*HandoffMessageSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def to_representation(self, handoff):
        return {**super().to_representation(handoff), "actions": self.get_actions(handoff)}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=selectors.ACTIONS)))
    def get_actions(self, handoff) -> list[str]:
        return selectors.handoff_actions_list(handoff=handoff, user=self.context["request"].user)


class HandoffDetailSerializer(HandoffSerializer):
    """A queue row plus the snapshot taken at escalation (problem, facts, fixes with
    outcomes, recent transcript, flow path, summary)."""

    class Meta(HandoffSerializer.Meta):
        fields = [*HandoffSerializer.Meta.fields, "context"]
        read_only_fields = fields

    context = HandoffContextField(read_only=True)

    def to_representation(self, handoff):
        return {**super().to_representation(handoff), "context": handoff.context}


class HandoffEventSerializer(api.ModelSerializer):
    seq = serializers.IntegerField(read_only=True, help_text=(
        "The account's event number (1, 2, 3, …): realtime clients use it to notice a missed event."))
    event = serializers.SerializerMethodField(help_text="As on the websocket: handoff.<kind>.")
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    payload = HandoffEventPayloadField(read_only=True)

    class Meta:
        model = HandoffEvent
        fields = ["seq", "event", "kind", "actor", "created_at", "payload"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=EVENT_NAMES))
    def get_event(self, event) -> str:
        return f"handoff.{event.kind}"


class HandoffEventPageSerializer(api.Serializer):
    """One page of an escalation's audit trail (``GET handoffs/{id}/events/?after=&limit=``)."""

    results = HandoffEventSerializer(many=True, help_text="Events with seq > after, oldest first.")
    has_more = serializers.BooleanField(help_text="More events follow: ask again with after = the last seq.")
    last_seq = serializers.IntegerField(help_text="The seq of this escalation's newest event.")


class HandoffEscalateSerializer(api.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="",
                                 help_text="Where you are stuck.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)


class HandoffReturnSerializer(api.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="",
                                 help_text="What the technician should do next (required).")


class HandoffResolveSerializer(api.Serializer):
    resolution = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="",
                                       help_text="What fixed it; it closes the session too (required).")


class HandoffCancelSerializer(api.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class BaselineSampleSerializer(api.ModelSerializer):
    minutes = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False, read_only=True)
    recorded_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = BaselineSample
        fields = ["id", "minutes", "note", "measured_on", "recorded_by", "created_at"]
        read_only_fields = fields


class BaselineSampleCreateSerializer(api.Serializer):
    minutes = serializers.DecimalField(max_digits=7, decimal_places=1, min_value=0, max_value=7 * 24 * 60,
                                       coerce_to_string=False,
                                       help_text="Minutes from \"I'm stuck\" to a senior's first action.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    measured_on = serializers.DateField(required=False, help_text="Default: today in the account's time zone.")


class HandoffEventMessageSerializer(api.Serializer):
    """One escalation event, exactly as the websockets send it (``handoffs.events.event_message``)
    and as ``GET /api/v1/events/`` lists it. Describes the shape; the data comes from
    ``event_message``, so the two cannot drift."""

    event = serializers.ChoiceField(choices=[f"handoff.{kind}" for kind in EventKind.values],
                                    help_text="`handoff.<kind>`: what happened.")
    seq = serializers.IntegerField(help_text="The account's event number (1, 2, 3, …, no gaps): a client "
                                             "that sees one skipped missed an event and catches up with "
                                             "`GET /api/v1/events/?after=`.")
    occurred_at = serializers.DateTimeField(help_text="When it happened.")
    handoff = HandoffSerializer(help_text="The escalation as the REST API shows it, with the reader's own "
                                          "`actions`. In the events feed it is the escalation's current state; "
                                          "on the websocket, its state right after this event (the webhook's "
                                          "has no `actions`).")


class AccountEventsSerializer(api.Serializer):
    results = HandoffEventMessageSerializer(many=True, help_text="Events with `seq` > `after`, oldest first.")
    last_seq = serializers.IntegerField(help_text="The account's newest event number now.")
    has_more = serializers.BooleanField(help_text="More events follow the last one here: ask again with "
                                                  "`after` = the last `seq` returned.")
