"""Factories for sessions_app models. Tenant rows are created through ``unscoped``
(``AccountOwnedFactory``); a session's children take their account from the session."""

import factory
from django.utils import timezone

from sessions_app.models import (
    Fact,
    FactSource,
    Fix,
    Flow,
    Message,
    MessageKind,
    SessionMode,
    TroubleshootingSession,
)
from tests.factories import AccountFactory, AccountOwnedFactory, UserFactory


def small_graph(**overrides) -> dict:
    """A valid three-step flow: a question leading to two resolutions."""
    graph = {
        "start": "restart",
        "steps": {
            "restart": {"type": "question", "text": "Did a restart fix it?",
                        "options": [{"label": "Yes", "next": "res-fixed"}, {"label": "No", "next": "res-escalate"}]},
            "res-fixed": {"type": "resolution", "text": "A restart fixed it."},
            "res-escalate": {"type": "resolution", "text": "Escalate.", "escalate": True},
        },
    }
    graph.update(overrides)
    return graph


class FlowFactory(AccountOwnedFactory):
    """Flow is not AccountOwned (global flows have no account), but like one it refuses
    unscoped use of ``objects``; the factory creates through ``unscoped`` too."""

    class Meta:
        model = Flow

    account = None
    name = factory.Sequence(lambda n: f"Runbook {n}")
    slug = factory.Sequence(lambda n: f"runbook-{n}")
    version = 1
    graph = factory.LazyFunction(small_graph)


class SessionFactory(AccountOwnedFactory):
    class Meta:
        model = TroubleshootingSession

    account = factory.SubFactory(AccountFactory)
    owner = factory.SubFactory(UserFactory, account=factory.SelfAttribute("..account"))
    mode = SessionMode.ASSISTANT
    title = factory.Sequence(lambda n: f"Outlook will not start #{n}")
    problem = "Outlook hangs on 'Loading profile' since this morning."
    client_name = "Fabrikam Dental"


class FlowSessionFactory(SessionFactory):
    mode = SessionMode.FLOW
    flow = factory.SubFactory(FlowFactory)
    flow_version = factory.SelfAttribute("flow.version")
    flow_graph = factory.SelfAttribute("flow.graph")
    current_step = factory.LazyAttribute(lambda o: o.flow.graph["start"])


class _SessionChildFactory(AccountOwnedFactory):
    class Meta:
        abstract = True

    session = factory.SubFactory(SessionFactory)
    account = factory.SelfAttribute("session.account")


class MessageFactory(_SessionChildFactory):
    class Meta:
        model = Message

    author = factory.SelfAttribute("session.owner")
    kind = MessageKind.TECH
    body = "Tried outlook.exe /safe, same hang."
    created_at = factory.LazyFunction(timezone.now)


class FactFactory(_SessionChildFactory):
    class Meta:
        model = Fact

    key = factory.Sequence(lambda n: f"fact_{n}")
    value = "Windows 11"
    source = FactSource.TECH


class FixFactory(_SessionChildFactory):
    class Meta:
        model = Fix

    title = "Disable COM add-ins"
    steps = "File > Options > Add-ins > COM Add-ins > Go\nUntick all third-party add-ins"
