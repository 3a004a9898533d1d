"""Forms of the session pages. They check the shape of the input; every rule about what may
change lives in ``sessions_app.services``, whose refusals the views show next to the form."""

from django import forms

from resolutionflow.search import SEARCH_MAX_LENGTH

from .models import Flow, MessageKind, SessionMode, SessionStatus
from .services.messages import MESSAGE_MAX


class NewSessionForm(forms.Form):
    mode = forms.ChoiceField(choices=SessionMode.choices, initial=SessionMode.ASSISTANT, widget=forms.RadioSelect)
    flow = forms.ModelChoiceField(queryset=Flow.objects.none(), required=False, widget=forms.RadioSelect,
                                  error_messages={"invalid_choice": "That runbook is not in this account's library."})
    problem = forms.CharField(required=False, max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What the user reports, error messages included. The assistant reads it.")
    client_name = forms.CharField(required=False, max_length=200, label="Client")
    ticket_ref = forms.CharField(required=False, max_length=64, label="Ticket reference",
                                 help_text="The PSA ticket number, if there is one.")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].queryset = Flow.objects.available_to(account)

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        if mode == SessionMode.FLOW and not cleaned.get("flow") and "flow" not in self.errors:
            self.add_error("flow", "Pick the runbook to follow.")
        if mode == SessionMode.ASSISTANT and not (cleaned.get("problem") or "").strip():
            self.add_error("problem", "Say what the problem is; the assistant starts from it.")
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(max_length=MESSAGE_MAX, strip=True, label="Message", error_messages={
        "required": "Write something first.",
        "max_length": "it holds at most %(limit_value)d characters and this one has %(show_value)d. "
                      "Send the lines that matter, or the log in parts.",
    })
    kind = forms.ChoiceField(choices=[(MessageKind.TECH, "Message"), (MessageKind.NOTE, "Note")],
                             required=False)


class FactForm(forms.Form):
    key = forms.CharField(max_length=64, label="Name", error_messages={"required": "Give the fact a name."})
    value = forms.CharField(max_length=500, error_messages={"required": "Give the fact a value."})


class FixProposeForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "Give the fix a title."})
    steps = forms.CharField(required=False, max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class FixStatusForm(forms.Form):
    status = forms.CharField(max_length=16)
    outcome_note = forms.CharField(required=False, max_length=MESSAGE_MAX)


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=MESSAGE_MAX, required=False)


class FlowAnswerForm(forms.Form):
    step = forms.CharField(max_length=64)
    option = forms.CharField(max_length=500)


OWNER_CHOICES = [("mine", "Mine"), ("all", "Everyone's")]


class HistoryFilterForm(forms.Form):
    """Session History's filters, read from the query string."""

    mode = forms.ChoiceField(choices=SessionMode.choices, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *SessionStatus.choices], required=False)
    owner = forms.ChoiceField(choices=OWNER_CHOICES, required=False)
    client = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH)
    q = forms.CharField(required=False, max_length=SEARCH_MAX_LENGTH, label="Search")
    page = forms.IntegerField(required=False, min_value=1)
