"""What the sessions API reads and writes. Input serializers only check shape and size;
every rule about what may change lives in ``sessions_app.services``."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from resolutionflow.api import serializers as api
from resolutionflow.api.representation import moment
from sessions_app import selectors
from sessions_app.models import (
    Fact,
    Fix,
    FixStatus,
    Flow,
    Message,
    MessageKind,
    SessionMode,
    TroubleshootingSession,
)
from sessions_app.rendering import render_markdown
from sessions_app.services import can_write, session_closest_runbook
from sessions_app.services.facts_fixes import FACT_KEY_MAX, FACT_VALUE_MAX
from sessions_app.services.messages import MESSAGE_MAX

LONG_TEXT_MAX = MESSAGE_MAX  # problem, resolution, fix steps: as long as one message

# ---- flows ----------------------------------------------------------------------------------


class FlowOptionSerializer(api.Serializer):
    label = serializers.CharField()
    next = serializers.CharField(help_text="The id of the step this answer leads to.")


class FlowStepSerializer(api.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["question", "action", "resolution"])
    text = serializers.CharField()
    detail = serializers.CharField(help_text="How to do it; may be empty.")
    escalate = serializers.BooleanField(help_text="A resolution that means: hand it to a senior engineer.")
    options = FlowOptionSerializer(many=True, help_text="The answers; empty on a resolution step.")


class FlowGraphStepSerializer(api.Serializer):
    """A step as the graph stores it (the id is its key in ``steps``)."""

    type = serializers.ChoiceField(choices=["question", "action", "resolution"])
    text = serializers.CharField()
    detail = serializers.CharField(required=False, allow_blank=True, help_text="How to do it.")
    options = FlowOptionSerializer(many=True, required=False,
                                   help_text="The answers of a question or action; none on a resolution.")
    escalate = serializers.BooleanField(required=False,
                                        help_text="A resolution that means: hand it to a senior engineer.")


class FlowGraphSerializer(api.Serializer):
    """A runbook's graph: where it starts and its steps by id."""

    start = serializers.CharField(help_text="The id of the first step.")
    steps = serializers.DictField(child=FlowGraphStepSerializer(), help_text="Step id → step.")


@extend_schema_field(FlowGraphSerializer)
class FlowGraphField(serializers.JSONField):
    """A graph as JSON (checked by the flow services, which list every problem)."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class StringListField(serializers.JSONField):
    """A model's JSON list of strings (a flow's tags and keywords)."""


def flow_step(graph: dict | None, step_id: str) -> dict | None:
    step = (graph or {}).get("steps", {}).get(step_id)
    if step is None:
        return None
    return {"id": step_id, "type": step["type"], "text": step["text"], "detail": step.get("detail", ""),
            "escalate": bool(step.get("escalate", False)), "options": step.get("options", [])}


class FlowSummarySerializer(api.ModelSerializer):
    is_global = serializers.BooleanField(read_only=True, help_text="Part of the shared starter library.")
    tags = StringListField(read_only=True, help_text="Categories shown in the library.")
    keywords = StringListField(read_only=True, help_text="Symptoms, products and error codes the assistant "
                                                         "matches on.")

    class Meta:
        model = Flow
        fields = ["id", "slug", "name", "description", "version", "tags", "keywords", "is_active", "is_global",
                  "created_at", "updated_at"]
        read_only_fields = fields


class FlowSerializer(FlowSummarySerializer):
    graph = FlowGraphField(read_only=True, help_text='{"start": step id, "steps": {id: step}}')

    class Meta(FlowSummarySerializer.Meta):
        fields = [*FlowSummarySerializer.Meta.fields, "graph"]
        read_only_fields = fields


def _tags_field():
    return serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)


def _keywords_field():
    return serializers.ListField(child=serializers.CharField(max_length=100), max_length=100, required=False,
                                 help_text="Symptoms, products and error codes the assistant matches on.")


_GRAPH_HELP = ('The steps: {"start": id, "steps": {id: {"type": "question"|"action"|"resolution", "text", '
               '"detail", "options": [{"label", "next"}], "escalate"}}}. An invalid graph is refused with '
               "every problem listed.")


class FlowCreateSerializer(api.Serializer):
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True,
                                 help_text="Defaults to one made from the name. A library slug replaces that "
                                           "library flow for this account.")
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False, default=1)
    tags = _tags_field()
    keywords = _keywords_field()
    graph = FlowGraphField(help_text=_GRAPH_HELP)
    is_active = serializers.BooleanField(required=False, default=True)


class FlowUpdateSerializer(api.Serializer):
    """Content changes raise the version; the slug never changes (imports match on it)."""

    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    tags = _tags_field()
    keywords = _keywords_field()
    graph = FlowGraphField(required=False, help_text=_GRAPH_HELP)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.", code="empty")
        return attrs


class FlowDocumentSerializer(api.Serializer):
    """A flow as a portable document: what export returns and import reads."""

    slug = serializers.SlugField(max_length=80)
    name = serializers.CharField(max_length=120)
    version = serializers.IntegerField(min_value=1)
    description = serializers.CharField(required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    keywords = serializers.ListField(child=serializers.CharField(), required=False)
    graph = FlowGraphField(help_text=_GRAPH_HELP)


class FlowExportSerializer(FlowDocumentSerializer):
    """What export sends: the whole document, every field present."""

    description = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(api.Serializer):
    created = serializers.ListField(child=serializers.CharField(), help_text="Slugs of new flows.")
    updated = serializers.ListField(child=serializers.CharField(), help_text="Slugs replaced by a newer version.")
    unchanged = serializers.ListField(child=serializers.CharField(), help_text="Same version, same content.")
    skipped = serializers.DictField(child=serializers.CharField(), help_text="Slug → why it was not applied.")
    summary = serializers.CharField()


# ---- sessions -------------------------------------------------------------------------------


class SessionFlowSerializer(api.Serializer):
    """The runbook a flow session walks, at the version it started with."""

    id = serializers.UUIDField(allow_null=True, help_text="Null when the flow was deleted since.")
    slug = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()


class PathItemSerializer(api.Serializer):
    step = serializers.CharField()
    text = serializers.CharField(help_text="The step's question or action.")
    option = serializers.CharField(help_text="The answer given.")
    answered_at = serializers.DateTimeField()


LIVE_ESCALATION_STATUSES = ["open", "claimed"]


class SessionEscalationSerializer(api.Serializer):
    """A session's live escalation, as far as the session shows it (the whole object is
    ``GET handoffs/{id}/``)."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=LIVE_ESCALATION_STATUSES, help_text="open or claimed.")


class SessionSerializer(api.ModelSerializer):
    """A session as lists show it. ``actions`` are what the caller may do to it now, from the
    same rules the session page uses (``sessions_app.selectors.session_actions``)."""

    owner = UserSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True,
                                     help_text="The engineer holding the claim of its open escalation.")
    flow = serializers.SerializerMethodField()
    messages_count = serializers.IntegerField(read_only=True)
    facts_count = serializers.IntegerField(read_only=True)
    fixes_count = serializers.IntegerField(read_only=True)
    can_write = serializers.SerializerMethodField(help_text="Whether the caller may work in this session.")
    escalation = serializers.SerializerMethodField(
        help_text="Its live (open or claimed) escalation, or null when it has none.")
    event_seq = serializers.IntegerField(read_only=True, help_text=(
        "The number of the session's last `session.changed` event this object includes (the session "
        "socket numbers one session's changes 1, 2, 3, …): an event at or below it is already here, "
        "one above event_seq + 1 means a change was missed."))
    actions = serializers.SerializerMethodField(help_text=(
        "What the caller may do to this session now (the rules and the session's state): edit (PATCH), "
        "post_message (messages and notes), manage_facts, manage_fixes, flow_answer, flow_back, resolve, "
        "escalate, draft_runbook. The escalation's own actions are on the escalation."))

    class Meta:
        model = TroubleshootingSession
        fields = ["id", "mode", "status", "title", "problem", "client_name", "ticket_ref", "owner", "assignee",
                  "flow", "resolution", "messages_count", "facts_count", "fixes_count", "can_write",
                  "escalation", "actions", "event_seq", "created_at", "updated_at", "resolved_at"]
        read_only_fields = fields

    def to_representation(self, session):
        """``Meta.fields``, built directly (resolutionflow.api.representation): DRF's field walk
        took about 90 µs per row, a third of a list request's time at 50 rows (issue 9)."""
        zone = timezone.get_current_timezone()
        actions = self.get_actions(session)
        return {
            "id": str(session.pk), "mode": str(session.mode), "status": str(session.status), "title": session.title,
            "problem": session.problem, "client_name": session.client_name, "ticket_ref": session.ticket_ref,
            "owner": UserSummarySerializer.represent(session.owner),
            "assignee": UserSummarySerializer.represent(session.assignee) if session.assignee_id else None,
            "flow": self.get_flow(session), "resolution": session.resolution,
            "messages_count": session.messages_count, "facts_count": session.facts_count,
            # "edit" is offered exactly when may_write_session holds (selectors.session_actions):
            # the rule is asked once per row, and the field walk (get_can_write) is the reference.
            "fixes_count": session.fixes_count, "can_write": "edit" in actions,
            "escalation": self.get_escalation(session), "actions": actions,
            "event_seq": session.event_seq, "created_at": moment(session.created_at, zone),
            "updated_at": moment(session.updated_at, zone), "resolved_at": moment(session.resolved_at, zone),
        }

    def _with_live_escalation(self, session):
        # Lists attach every row's escalation in one query (the view's paginate_queryset); a
        # session read on its own gets its own here.
        if not hasattr(session, "live_escalation"):
            selectors.attach_live_escalations([session], account=self.context["request"].user.account)
        return session

    @extend_schema_field(SessionEscalationSerializer(allow_null=True))
    def get_escalation(self, session) -> dict | None:
        live = self._with_live_escalation(session).live_escalation
        return None if live is None else {"id": live["id"], "status": live["status"]}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=selectors.SESSION_ACTIONS)))
    def get_actions(self, session) -> list[str]:
        return selectors.session_actions(session=self._with_live_escalation(session),
                                         user=self.context["request"].user)

    @extend_schema_field(SessionFlowSerializer(allow_null=True))
    def get_flow(self, session) -> dict | None:
        if session.mode != SessionMode.FLOW:
            return None
        flow = session.flow
        return {"id": session.flow_id, "slug": flow.slug if flow else None, "name": flow.name if flow else None,
                "version": session.flow_version}

    def get_can_write(self, session) -> bool:
        return can_write(user=self.context["request"].user, session=session)


class SessionDetailSerializer(SessionSerializer):
    """One session, with where a flow walk stands."""

    current_step = serializers.SerializerMethodField()
    path = serializers.SerializerMethodField()
    closest_runbook = serializers.SerializerMethodField(
        help_text="Resolved sessions: the slug of the runbook it was closest to (empty when none fitted).")

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "current_step", "path", "closest_runbook"]
        read_only_fields = fields

    def to_representation(self, session):
        return {**super().to_representation(session), "current_step": self.get_current_step(session),
                "path": self.get_path(session), "closest_runbook": self.get_closest_runbook(session)}

    def get_closest_runbook(self, session) -> str:
        return session_closest_runbook(session=session) if session.status == "resolved" else ""

    @extend_schema_field(FlowStepSerializer(allow_null=True))
    def get_current_step(self, session) -> dict | None:
        if session.mode != SessionMode.FLOW:
            return None
        return flow_step(session.flow_graph, session.current_step)

    @extend_schema_field(PathItemSerializer(many=True))
    def get_path(self, session) -> list[dict]:
        steps = (session.flow_graph or {}).get("steps", {})
        return [{"step": item["step"], "text": steps.get(item["step"], {}).get("text", item["step"]),
                 "option": item["option"], "answered_at": item["answered_at"]} for item in session.path]


class SessionCreateSerializer(api.Serializer):
    mode = serializers.ChoiceField(choices=SessionMode.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                  help_text="Defaults to the problem's first line, or the flow's name.")
    problem = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True,
                                    help_text="Also the first message of an Assistant session.")
    client_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ticket_ref = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                       help_text="The PSA ticket number.")
    flow = serializers.PrimaryKeyRelatedField(queryset=Flow.objects.none(), required=False, allow_null=True,
                                              help_text="The runbook to walk (flow mode only).")

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request.user, "account", None) is not None:
            fields["flow"].queryset = Flow.objects.available_to(request.user.account)
        return fields


class SessionUpdateSerializer(api.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    problem = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True)
    client_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    ticket_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send at least one of title, problem, client_name, ticket_ref.",
                                              code="empty")
        return attrs


class FlowAnswerSerializer(api.Serializer):
    step = serializers.CharField(max_length=64, help_text="The step being answered: the current one.")
    option = serializers.CharField(max_length=200, help_text="The label of the chosen option.")


class ResolveSerializer(api.Serializer):
    resolution = serializers.CharField(max_length=LONG_TEXT_MAX, help_text="What fixed it; goes into the ticket.")


class TicketNoteSerializer(api.Serializer):
    text = serializers.CharField(help_text="Plain text for PSAs that take text.")
    markdown = serializers.CharField(help_text="The same note in Markdown.")


# ---- transcript, facts, fixes --------------------------------------------------------------


class SuggestionSerializer(api.Serializer):
    """One thing an assistant reply suggested."""

    kind = serializers.ChoiceField(choices=["flow", "session"], help_text="A runbook, or a resolved session.")
    id = serializers.CharField(help_text="The flow's or the session's id.")
    slug = serializers.CharField(help_text="The runbook's slug; for a session, the runbook it was closest to "
                                           "(empty when none).")
    score = serializers.FloatField(help_text="The match score (higher is closer; not a probability).")
    why = serializers.CharField(help_text="What it matched on, in words.")


class MessageSerializer(api.ModelSerializer):
    author = UserSummarySerializer(read_only=True, allow_null=True, help_text="Null for the assistant.")
    suggestions = SuggestionSerializer(many=True, read_only=True,
                                       help_text="Assistant replies: what the reply suggested, best first; empty "
                                                 "when nothing fits (and on every other kind of message).")
    body_html = serializers.SerializerMethodField(
        help_text="The body (Markdown) rendered as sanitised HTML, as the session page shows it: raw HTML "
                  "escaped, links only to http, https and mailto with rel=\"noopener noreferrer nofollow\".")

    class Meta:
        model = Message
        fields = ["id", "kind", "body", "body_html", "author", "suggestions", "created_at"]
        read_only_fields = fields

    def get_body_html(self, message: Message) -> str:
        return render_markdown(message.body)


class MessageCreateSerializer(api.Serializer):
    body = serializers.CharField(max_length=MESSAGE_MAX)
    kind = serializers.ChoiceField(choices=[MessageKind.TECH, MessageKind.NOTE], default=MessageKind.TECH,
                                   help_text="tech: answered by the assistant in Assistant sessions; note: "
                                             "recorded only.")


class FactSerializer(api.ModelSerializer):
    author = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Fact
        fields = ["id", "key", "value", "source", "author", "created_at", "updated_at"]
        read_only_fields = fields


class FactCreateSerializer(api.Serializer):
    key = serializers.CharField(max_length=FACT_KEY_MAX, help_text="Normalised: 'Error Code' → error_code.")
    value = serializers.CharField(max_length=FACT_VALUE_MAX)


class FactUpdateSerializer(api.Serializer):
    key = serializers.CharField(max_length=FACT_KEY_MAX, required=False)
    value = serializers.CharField(max_length=FACT_VALUE_MAX, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send key and/or value.", code="empty")
        return attrs


class FixSerializer(api.ModelSerializer):
    proposed_by = UserSummarySerializer(read_only=True, allow_null=True, help_text="Null for the assistant.")

    class Meta:
        model = Fix
        fields = ["id", "title", "steps", "status", "outcome_note", "source", "proposed_by", "created_at",
                  "updated_at", "outcome_at"]
        read_only_fields = fields


class FixCreateSerializer(api.Serializer):
    title = serializers.CharField(max_length=200)
    steps = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True, default="",
                                  help_text="One step per line.")


class FixStatusSerializer(api.Serializer):
    status = serializers.ChoiceField(choices=FixStatus.choices,
                                     help_text="proposed → active | skipped; active → worked | failed | skipped | "
                                               "proposed; failed, skipped → active | proposed; worked is final. "
                                               "One fix is active at a time.")
    outcome_note = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True, default="",
                                         help_text="What happened; kept with worked, failed and skipped.")


class PostedMessageSerializer(api.Serializer):
    message = MessageSerializer(allow_null=True, help_text="The technician's message (null for a session opened "
                                                           "with a title only).")
    reply = MessageSerializer(allow_null=True, help_text="The assistant's answer; null for notes and flow sessions.")
    notice = MessageSerializer(allow_null=True, help_text="Set when the configured assistant failed and the "
                                                          "built-in one answered instead.")
    facts = FactSerializer(many=True, help_text="Facts the assistant added or changed.")
    fixes = FixSerializer(many=True, help_text="Fixes the assistant proposed.")



class SessionCreatedSerializer(SessionDetailSerializer):
    """A new session, with the assistant's answer to its opening."""

    opening = PostedMessageSerializer(
        read_only=True, allow_null=True,
        help_text="Assistant sessions: the problem line, the assistant's reply to the title and problem, and the "
                  "facts and fixes it added. Null for FlowPilot sessions.")

    class Meta(SessionDetailSerializer.Meta):
        fields = [*SessionDetailSerializer.Meta.fields, "opening"]
        read_only_fields = fields


# ---- the command palette -----------------------------------------------------------------------


class PaletteItemSerializer(api.Serializer):
    id = serializers.CharField(help_text="Stable per item: page:queue, flow:<slug>, session:<id>, handoff:<id>, ...")
    label = serializers.CharField(help_text="What the palette shows (a page's name, a session's title).")
    group = serializers.CharField(help_text="The heading it is listed under: Start, FlowPilot, Recent sessions, "
                                            "Open escalations, Pages.")
    url = serializers.CharField(help_text="The page it opens: a path on this site.")
    hint = serializers.CharField(allow_blank=True, help_text="A second line (client, ticket, state); may be empty.")
    keywords = serializers.CharField(allow_blank=True, help_text="More words the palette's search matches.")


class PaletteSerializer(api.Serializer):
    items = PaletteItemSerializer(many=True, help_text="In the order the palette lists them.")
