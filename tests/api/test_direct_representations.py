"""Representations built directly for speed (issue 9, resolutionflow.api.representation) give
exactly what DRF's field-by-field walk gives: the walk (``ModelSerializer.to_representation``)
is the reference, for sessions and escalations in every state, each reader, and a time zone
that is not UTC; and the lists' own reads (only the columns a row shows, the page's people
and sessions attached) give the same rows without a query more."""

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.api.serializers import UserSummarySerializer
from accounts.models import Account
from handoffs import selectors as handoff_selectors
from handoffs import services as handoff_services
from handoffs.api.serializers import (
    HandoffDetailSerializer,
    HandoffMessageSerializer,
    HandoffSerializer,
    SessionSummarySerializer,
)
from handoffs.api.views import handoff_queryset
from handoffs.models import Handoff
from sessions_app import selectors
from sessions_app.api.serializers import SessionDetailSerializer, SessionSerializer
from sessions_app.models import Flow, SessionStatus, TroubleshootingSession
from tests.factories import AccountFactory, UserFactory
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


def _as_the_list_reads(sessions, account):
    """The same sessions read as ``GET sessions/`` reads a page: without joined people, with only
    the runbook's summary, then the page's people, counts and escalations attached."""
    page = list(selectors.session_page_list(account=account).filter(pk__in=[s.pk for s in sessions]))
    page = selectors.attach_people_and_runbooks(page, account=account)
    page = selectors.attach_item_counts(page, account=account)
    return {session.pk: session for session in selectors.attach_live_escalations(page, account=account)}


@pytest.mark.parametrize("serializer_class", [SessionSerializer, SessionDetailSerializer])
@pytest.mark.parametrize("reader", ["engineer", "senior", "viewer", "admin_user"])
def test_a_session_built_directly_equals_the_field_walk(request, sessions, serializer_class, reader,
                                                       django_assert_num_queries, northwind):
    user = request.getfixturevalue(reader)
    listed = _as_the_list_reads(sessions, northwind)
    timezone.activate(zoneinfo.ZoneInfo("America/Santiago"))  # the account's zone, as the middleware sets it
    try:
        assert len(sessions) == 7
        for session in sessions:
            serializer = serializer_class(session, context={"request": _request(user)})
            walked = serializers.ModelSerializer.to_representation(serializer, session)
            assert serializer.data == walked, session.title
            assert list(serializer.data) == list(walked)  # the same order of keys too
            if serializer_class is SessionSerializer:
                # The list's own read gives the same row, and building it reads nothing more
                # (no field left in the database is touched).
                with django_assert_num_queries(0):
                    assert SessionSerializer(listed[session.pk], context={"request": _request(user)}).data == walked
    finally:
        timezone.deactivate()


def test_a_row_deleted_between_the_page_and_its_relations_is_left_out(northwind, handoffs):
    """The page and its people (or sessions) are two reads: a session deleted in between (its
    escalation with it) is left out of the page rather than failing the request."""
    queue = list(Handoff.objects.for_account(northwind).filter(pk__in=[h.pk for h in handoffs]))
    gone = queue[0]
    TroubleshootingSession.unscoped.filter(pk=gone.session_id).delete()
    shown = handoff_selectors.attach_queue_relations(queue, account=northwind)
    assert [h.pk for h in shown] == [h.pk for h in queue[1:]]

    closing = AccountFactory()
    SessionFactory(account=closing, owner=UserFactory(account=closing))
    page = list(selectors.session_page_list(account=closing))
    assert len(page) == 1
    Account.objects.filter(pk=closing.pk).delete()  # its people and sessions with it
    assert selectors.attach_people_and_runbooks(page, account=closing) == []


def test_attaching_to_another_accounts_rows_is_refused(sessions, outsider, northwind):
    with pytest.raises(ValueError, match="belong to the account"):
        selectors.attach_people_and_runbooks(sessions, account=outsider)
    queue = list(handoff_queryset(northwind))
    with pytest.raises(ValueError, match="belong to the account"):
        handoff_selectors.attach_queue_relations(queue, account=outsider)


@pytest.mark.parametrize("display_name", ["Jamie Junior", ""])
def test_a_user_summary_built_directly_equals_the_field_walk(northwind, display_name):
    user = UserFactory(account=northwind, display_name=display_name, email="pat@northwind.test")

    assert UserSummarySerializer.represent(user) == UserSummarySerializer(user).data


@pytest.fixture
def handoffs(northwind, engineer, senior, admin_user):
    """One escalation in each state: open, peer-escalated, alerted, claimed, first action taken,
    returned, resolved, cancelled; read as the queue reads them."""
    made = [escalated(northwind, engineer), escalated(northwind, engineer, actor=admin_user, urgency="critical")]
    alerted = escalated(northwind, engineer)
    handoff_services.handoff_alert(handoff=alerted)
    held = claimed(northwind, engineer, senior)
    acted = claimed(northwind, engineer, senior)
    MessageFactory(session=acted.session)
    handoff_services.on_session_activity(session=acted.session, actor=senior, kind="message")
    returned = handoff_services.handoff_return(handoff=claimed(northwind, engineer, senior), actor=senior,
                                               note="Needs the client's admin password")
    resolved = handoff_services.handoff_resolve(handoff=claimed(northwind, engineer, senior), actor=senior,
                                                resolution="Replaced the VPN profile")
    cancelled = handoff_services.handoff_cancel(handoff=escalated(northwind, engineer), actor=engineer,
                                                note="fixed it myself")
    ids = [h.pk for h in [*made, alerted, held, acted, returned, resolved, cancelled]]
    return list(handoff_queryset(northwind).filter(pk__in=ids))


def _as_the_queue_reads(handoffs, account):
    """The same escalations read as ``GET handoffs/`` reads a page: the row's own columns only,
    then the page's sessions and people attached."""
    page = Handoff.objects.for_account(account).filter(pk__in=[h.pk for h in handoffs])
    page = handoff_selectors.attach_queue_relations(page.only(*handoff_selectors.QUEUE_ROW_FIELDS), account=account)
    return {handoff.pk: handoff for handoff in page}


@pytest.mark.parametrize("serializer_class", [HandoffMessageSerializer, HandoffSerializer, HandoffDetailSerializer])
@pytest.mark.parametrize("reader", ["engineer", "senior", "viewer", "admin_user"])
def test_an_escalation_built_directly_equals_the_field_walk(request, handoffs, serializer_class, reader,
                                                          django_assert_num_queries, northwind):
    user = request.getfixturevalue(reader)
    queued = _as_the_queue_reads(handoffs, northwind)
    now = timezone.now()
    timezone.activate(zoneinfo.ZoneInfo("Asia/Kolkata"))
    try:
        assert len(handoffs) == 8
        assert {h.status for h in handoffs} == {"open", "claimed", "returned", "resolved", "cancelled"}
        assert any(h.first_action_at for h in handoffs) and any(h.alerted_at for h in handoffs)
        assert any(h.handed_off_by_id != h.requested_by_id for h in handoffs)
        for handoff in handoffs:
            serializer = serializer_class(handoff, context={"request": _request(user), "now": now})
            walked = serializers.ModelSerializer.to_representation(serializer, handoff)
            assert serializer.data == walked, handoff.status
            assert list(serializer.data) == list(walked)
            if serializer_class is HandoffSerializer:  # the queue's own read: the same row, no query more
                with django_assert_num_queries(0):
                    row = HandoffSerializer(queued[handoff.pk], context={"request": _request(user), "now": now})
                    assert row.data == walked
    finally:
        timezone.deactivate()


def test_a_session_summary_built_directly_equals_the_field_walk(sessions):
    for session in sessions:
        assert SessionSummarySerializer.represent(session) == SessionSummarySerializer(session).data
