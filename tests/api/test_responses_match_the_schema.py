"""The response check of the whole suite (tests/schema_check.py) fails on drift: a body off the
schema, a status the operation does not declare, an undeclared field in a success body, and
the same in a live server's thread, where the test only sees a 500."""

import httpx
import pytest
from django.urls import reverse
from rest_framework.response import Response

from accounts.api import views as account_views
from tests import schema_check
from tests.schema_check import SchemaMismatch


@pytest.fixture
def drifted(monkeypatch):
    """``me/`` answers whatever the test sets in ``answer``; recorded mismatches are handed to
    the test instead of failing it at teardown."""
    answer = {}
    monkeypatch.setattr(account_views.MeViewSet, "retrieve",
                        lambda self, request, *a, **k: Response(answer["body"], status=answer.get("status", 200)))
    yield answer
    schema_check.mismatches.clear()


def test_the_check_is_on_for_every_test():
    assert schema_check.enabled()


def test_the_real_answer_passes(api, engineer):
    response = api.as_user(engineer).get(reverse("me"))
    assert response.status_code == 200 and schema_check.mismatches == []


def test_a_body_off_the_schema_fails_the_request(api, engineer, drifted):
    drifted["body"] = {"id": 7, "email": "jamie@northwind.test"}
    with pytest.raises(SchemaMismatch, match=r"GET /api/v1/me/ → 200: 7 is not of type 'string' at id"):
        api.as_user(engineer).get(reverse("me"))
    assert any("'display_name' is a required property" in problem for problem in schema_check.mismatches)


def test_a_status_the_operation_does_not_declare_fails_the_request(api, engineer, drifted):
    drifted.update(body={"detail": "No.", "code": "teapot"}, status=418)
    with pytest.raises(SchemaMismatch, match="418: status not declared"):
        api.as_user(engineer).get(reverse("me"))


def test_a_field_the_schema_does_not_declare_fails_a_success(api, engineer, drifted):
    from accounts.api.serializers import MeSerializer

    drifted["body"] = {**MeSerializer(engineer).data, "nickname": "J"}
    with pytest.raises(SchemaMismatch, match=r"'nickname' was unexpected"):
        api.as_user(engineer).get(reverse("me"))


def test_an_error_without_its_code_fails_the_request(api, engineer, drifted):
    drifted.update(body={"detail": "Not like that."}, status=400)
    with pytest.raises(SchemaMismatch, match="'code' is a required property"):
        api.as_user(engineer).get(reverse("me"))


@pytest.mark.django_db(transaction=True)
def test_a_drifted_answer_in_a_live_server_is_recorded_for_the_test(live_server, drifted, northwind):
    from accounts.models import Role
    from accounts.services.api_tokens import api_token_create
    from tests.factories import UserFactory

    user = UserFactory(account=northwind, role=Role.ENGINEER)
    key = api_token_create(user=user).key
    drifted["body"] = {"id": "not-a-user"}
    response = httpx.get(live_server.url + reverse("me"), headers={"Authorization": f"Token {key}"})
    assert response.status_code == 500
    assert any("GET /api/v1/me/ → 200" in problem for problem in schema_check.mismatches)
