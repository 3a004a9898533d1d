"""Representations built directly for speed (issue 9) give exactly what DRF's field-by-field
walk gives: the walk (``ModelSerializer.to_representation``) is the reference, for sessions in
every state and mode, each reader, and a time zone that is not UTC."""

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.api.serializers import UserSummarySerializer
from sessions_app import selectors
from sessions_app.api.serializers import SessionDetailSerializer, SessionSerializer
from sessions_app.models import Flow, SessionStatus
from tests.factories import UserFactory
from tests.handoffs.escalations import claimed, escalated
from tests.sessions_app.factories import FlowSessionFactory, MessageFactory, SessionFactory


def _request(user):
    request = Request(APIRequestFactory().get("/api/v1/sessions/"))
    request.user = user
    return request


@pytest.fixture
def sessions(northwind, engineer, senior):
    """One session of each kind the lists show, read the way the list reads them."""
    plain = SessionFactory(account=northwind, owner=engineer, problem="Outlook hangs", ticket_ref="T-1")
    MessageFactory(session=plain)
    resolved = SessionFactory(account=northwind, owner=engineer, status=SessionStatus.RESOLVED,
                              resolution="Rebuilt the profile", resolved_at=timezone.now())
    flow = FlowSessionFactory(account=northwind, owner=engineer)
    walked = FlowSessionFactory(account=northwind, owner=engineer)
    walked.path = [{"step": walked.current_step, "option": "Yes", "answered_at": "2026-11-30T10:00:00Z"}]
    walked.save()
    orphan = FlowSessionFactory(account=northwind, owner=engineer)
    Flow.unscoped.filter(pk=orphan.flow_id).delete()
    open_escalation = escalated(northwind, engineer)
    with_claim = claimed(northwind, engineer, senior)
    ids = [plain.pk, resolved.pk, flow.pk, walked.pk, orphan.pk,
           open_escalation.session_id, with_claim.session_id]
    page = list(selectors.session_list(account=northwind).filter(pk__in=ids))
    selectors.attach_item_counts(page, account=northwind)
    return selectors.attach_live_escalations(page, account=northwind)


@pytest.mark.parametrize("serializer_class", [SessionSerializer, SessionDetailSerializer])
@pytest.mark.parametrize("reader", ["engineer", "senior", "viewer", "admin_user"])
def test_a_session_built_directly_equals_the_field_walk(request, sessions, serializer_class, reader):
    user = request.getfixturevalue(reader)
    timezone.activate(zoneinfo.ZoneInfo("America/Santiago"))  # the account's zone, as the middleware sets it
    try:
        assert len(sessions) == 7
        for session in sessions:
            serializer = serializer_class(session, context={"request": _request(user)})
            walked = serializers.ModelSerializer.to_representation(serializer, session)
            assert serializer.data == walked, session.title
            assert list(serializer.data) == list(walked)  # the same order of keys too
    finally:
        timezone.deactivate()


@pytest.mark.parametrize("display_name", ["Jamie Junior", ""])
def test_a_user_summary_built_directly_equals_the_field_walk(northwind, display_name):
    user = UserFactory(account=northwind, display_name=display_name, email="pat@northwind.test")

    assert UserSummarySerializer.represent(user) == UserSummarySerializer(user).data
