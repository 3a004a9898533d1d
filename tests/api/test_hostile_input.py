"""Input that could reach a server error (issue 8, kinds 1 and 11).

Every list the router knows is walked with hostile values for each of its filters (taken from
the filter sets themselves) and for pagination: each answer is a JSON 400 naming the
parameter, or a 200, never a 500 and never a silently ignored value.
"""

import pytest
from django.urls import reverse
from django_filters import filters as df

from resolutionflow.api.filters import DateOrInstantFilter, StrictBooleanFilter
from tests.api.endpoints import api_endpoints
from tests.sessions_app.factories import SessionFactory

HOSTILE_DATES = [
    "0001-01-01T00:00:00+14:00",  # the issue's instance: overflowed moving to UTC
    "9999-12-31T23:59:59-14:00",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "99999-01-01",
    "2026-09-06T25:00",
    "yesterday",
]
FREE_TEXT = (df.CharFilter,)


def list_routes():
    return sorted({name for name, method, _, action in api_endpoints() if method == "get" and action == "list"})


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer, title="Printer offline")


def list_url(name, session):
    if name.startswith("session-") and name != "session-list":
        return reverse(name, kwargs={"session_id": session.pk})
    return reverse(name)


def filters_of(name):
    view = next(v for n, m, v, a in api_endpoints() if n == name and m == "get")
    filterset = getattr(view, "filterset_class", None)
    return dict(filterset.base_filters) if filterset else {}


def refused(response, code, parameter=None):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    if parameter is not None:
        assert body["parameter"] == parameter
    return body


def test_the_walk_covers_every_list_of_the_router():
    assert set(list_routes()) >= {
        "user-list", "invitation-list", "session-list", "flow-list", "handoff-list", "baselinesample-list",
        "session-message-list", "session-fact-list", "session-fix-list",
    }


@pytest.mark.parametrize("name", list_routes())
def test_every_filter_of_every_list_refuses_a_value_it_cannot_use(api, admin_user, session, name):
    client = api.as_user(admin_user)
    url = list_url(name, session)
    assert client.get(url).status_code == 200
    for parameter, flt in filters_of(name).items():
        if type(flt) in FREE_TEXT:
            assert client.get(url, {parameter: "x"}).status_code == 200, parameter
            continue
        refused(client.get(url, {parameter: "x-not-a-value"}), "invalid_filter", parameter)
        if isinstance(flt, DateOrInstantFilter):
            for value in HOSTILE_DATES:
                refused(client.get(url, {parameter: value}), "invalid_filter", parameter)
            assert client.get(url, {parameter: "2026-09-06"}).status_code == 200
        if isinstance(flt, StrictBooleanFilter):
            for value in ("maybe", "2", "tru"):
                refused(client.get(url, {parameter: value}), "invalid_filter", parameter)
            assert client.get(url, {parameter: "false"}).status_code == 200


@pytest.mark.parametrize("name", list_routes())
def test_every_list_refuses_a_nul_character_in_any_parameter(api, admin_user, session, name):
    client = api.as_user(admin_user)
    url = list_url(name, session)
    for parameter in [*filters_of(name), "page", "q"]:
        refused(client.get(url, {parameter: "a\x00b"}), "null_character")


@pytest.mark.parametrize("name", list_routes())
def test_every_list_refuses_a_filter_it_does_not_have(api, admin_user, session, name):
    body = refused(api.as_user(admin_user).get(list_url(name, session), {"colour": "red"}), "unknown_filter", "colour")
    assert "colour" in body["detail"]


@pytest.mark.parametrize("name", list_routes())
@pytest.mark.parametrize("parameter", ["page", "page_size"])
@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "99999999999999999999999", "\u0661", "201"])
def test_every_list_refuses_a_page_that_is_not_a_number_in_range(api, admin_user, session, name, parameter, value):
    if parameter == "page" and value == "201":
        return  # a page number that large is in range: past the end, a 404 (below)
    refused(api.as_user(admin_user).get(list_url(name, session), {parameter: value}), "invalid_filter", parameter)


@pytest.mark.parametrize("name", list_routes())
def test_a_page_past_the_end_is_a_json_404(api, admin_user, session, name):
    response = api.as_user(admin_user).get(list_url(name, session), {"page": "999"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_issue_instance_is_a_400_naming_created_after(api, viewer):
    body = refused(api.as_user(viewer).get("/api/v1/handoffs/?created_after=0001-01-01T00:00:00%2B14:00"),
                   "invalid_filter", "created_after")
    assert "created_after" in body["detail"]


def test_an_unknown_invitation_status_is_refused(api, admin_user):
    """The issue's kind-11 instance: ``?status=x`` used to list everything."""
    refused(api.as_user(admin_user).get(reverse("invitation-list"), {"status": "x"}), "invalid_filter", "status")


def test_an_invitation_status_filter_lists_only_that_status(api, admin_user, northwind):
    from django.utils import timezone

    from tests.factories import InvitationFactory

    pending = InvitationFactory(account=northwind, invited_by=admin_user, email="p@example.com")
    InvitationFactory(account=northwind, invited_by=admin_user, email="r@example.com", revoked_at=timezone.now())
    body = api.as_user(admin_user).get(reverse("invitation-list"), {"status": "pending"}).json()
    assert [row["id"] for row in body["results"]] == [str(pending.pk)]


# ---- cursors and numbers outside filter sets --------------------------------------------------


@pytest.mark.parametrize("after", ["x", "-1", "1.0", "9" * 30, "\u0661\u0662", "9223372036854775808"])
def test_an_events_cursor_that_is_not_a_sequence_number_is_refused(api, viewer, engineer, senior, northwind, after):
    from tests.handoffs.escalations import escalated

    handoff = escalated(northwind, engineer)
    response = api.as_user(viewer).get(reverse("handoff-events", args=[handoff.pk]), {"after": after})
    refused(response, "invalid_filter", "after")


def test_the_largest_events_cursor_is_an_empty_page(api, viewer, engineer, northwind):
    from tests.handoffs.escalations import escalated

    handoff = escalated(northwind, engineer)
    response = api.as_user(viewer).get(reverse("handoff-events", args=[handoff.pk]), {"after": str(2**63 - 1)})
    assert (response.status_code, response.json()["results"], response.json()["has_more"]) == (200, [], False)


@pytest.mark.parametrize("params", [{"since": "0001-01-01"}, {"until": "9999-12-31"}, {"since": "x"},
                                    {"until": "0001-01-01"}])
def test_metrics_refuse_days_out_of_range(api, viewer, params):
    response = api.as_user(viewer).get(reverse("handoff-metrics"), params)
    assert response.status_code == 400, response.content
    assert response.json()["code"]


def test_metrics_accept_the_last_day_in_range(api, viewer):
    response = api.as_user(viewer).get(reverse("handoff-metrics"), {"since": "9999-12-01", "until": "9999-12-30"})
    assert response.status_code == 200, response.content


# ---- bodies ----------------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400(api, admin_user):
    body = "[" * 100_000 + "]" * 100_000
    response = api.as_user(admin_user).generic("POST", reverse("flow-list"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_json_nested_past_the_limit_is_a_400_even_when_python_could_parse_it(api, admin_user):
    graph = {"start": "a", "steps": {}}
    node = graph
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    response = api.as_user(admin_user).post(reverse("flow-list"), {"name": "Deep", "graph": graph}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


@pytest.mark.parametrize("payload", [
    {"name": "Has \x00 NUL", "graph": {}},
    {"name": "Fine", "graph": {"start": "a\x00", "steps": {}}},
    {"name": "Fine", "graph": {"start": "a", "steps": {"k\x00": {}}}},
])
def test_a_nul_character_anywhere_in_a_json_body_is_a_400(api, admin_user, payload):
    from sessions_app.models import Flow

    before = Flow.unscoped.count()
    response = api.as_user(admin_user).post(reverse("flow-list"), payload, format="json")
    refused(response, "null_character")
    assert Flow.unscoped.count() == before


def test_a_nul_character_in_a_urlencoded_body_is_a_400(api, engineer, session):
    response = api.as_user(engineer).post(reverse("session-message-list", kwargs={"session_id": session.pk}),
                                          "body=hello%00&kind=tech",
                                          content_type="application/x-www-form-urlencoded")
    refused(response, "null_character")
    assert session.messages.count() == 0


def test_a_multipart_body_is_refused_as_not_json_and_changes_nothing(api, engineer, session):
    response = api.as_user(engineer).post(reverse("session-message-list", kwargs={"session_id": session.pk}),
                                          {"body": "hello\x00", "kind": "tech"}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert session.messages.count() == 0


def test_a_nul_character_in_a_page_form_is_a_400_that_changes_nothing(client, engineer, session):
    client.force_login(engineer)
    response = client.post(f"/sessions/{session.pk}/messages/", {"body": "hello\x00", "kind": "tech"})
    assert response.status_code == 400
    assert session.messages.count() == 0


# ---- every answer under /api/ is JSON -------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/api/v1/no-such-thing/",
    "/api/v1/users/not-a-uuid/",
    "/api/v1/sessions/12345/",
    "/api/v1/sessions/not-a-uuid/facts/",
    "/api/v1/handoffs/%00/",
    "/api/v2/",
    "/api/",
])
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on (make run)"])
def test_an_unknown_api_path_or_id_is_a_json_404(api, engineer, path, debug, settings):
    settings.DEBUG = debug  # with DEBUG on, Django's handler404 gives way to its HTML debug page
    response = api.as_user(engineer).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_post_with_a_cookie_to_an_unknown_api_path_is_the_json_404(engineer, settings):
    from django.test import Client

    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)  # a cookie and no CSRF token: the 404 must not turn into CSRF's HTML 403
    response = client.post("/api/v1/sessions/null,null/messages/", {"body": "x"}, content_type="application/json")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json()["code"] == "not_found"


def test_an_unknown_page_path_is_still_an_html_404(client, engineer):
    client.force_login(engineer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json_with_debug_off(api, engineer, monkeypatch, settings):
    from accounts.api import views

    assert settings.DEBUG is False

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.MeViewSet, "retrieve", crash)
    api.raise_request_exception = False
    response = api.as_user(engineer).get(reverse("me"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_too_many_form_fields_under_the_api_is_a_json_400(api, engineer, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api.as_user(engineer).get(reverse("session-list") + "?" + "&".join(f"q{i}=1" for i in range(20)))
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


def test_a_list_may_declare_a_parameter_it_reads_itself(api, engineer, monkeypatch):
    from sessions_app.api.views import sessions

    url = reverse("session-list")
    assert api.as_user(engineer).get(url, {"since_seq": "3"}).json()["code"] == "unknown_filter"
    monkeypatch.setattr(sessions.SessionViewSet, "query_parameters", ("since_seq",))
    assert api.as_user(engineer).get(url, {"since_seq": "3"}).status_code == 200


def test_a_nul_character_in_a_urlencoded_page_form_is_refused_before_the_view(client, engineer, session):
    client.force_login(engineer)
    response = client.post(f"/sessions/{session.pk}/messages/", "body=hello%00&kind=tech",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert session.messages.count() == 0


# ---- what the API answers in (resolutionflow/api/negotiation.py) ---------------------------


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*",
                                    "text/html", "application/xml"])
def test_a_browser_or_any_client_gets_json_never_the_browsable_html(api, engineer, accept):
    response = api.as_user(engineer).get("/api/v1/sessions/?status=bogus", HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json()["code"] == "invalid_filter"
    response = api.as_user(engineer).get("/api/v1/me/", HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    assert response.json()["email"] == engineer.email


@pytest.mark.parametrize("format_", ["api", "csv", "markdown"])
def test_a_format_other_than_json_is_a_400_naming_it(api, engineer, northwind, format_):
    from tests.sessions_app.factories import SessionFactory

    session = SessionFactory(account=northwind, owner=engineer)
    for path in ("/api/v1/sessions/", f"/api/v1/sessions/{session.pk}/preview/"):
        response = api.as_user(engineer).get(path, {"format": format_})
        assert (response.status_code, response["Content-Type"]) == (400, "application/json")
        assert response.json()["code"] == "unknown_format" and repr(format_) in response.json()["detail"]


def test_format_json_is_accepted(api, engineer):
    response = api.as_user(engineer).get("/api/v1/sessions/", {"format": "json"})
    assert (response.status_code, response["Content-Type"]) == (200, "application/json")


# ---- a parameter given twice ------------------------------------------------------------------


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/sessions/", "mode=assistant&mode=flow"), ("/api/v1/sessions/", "q=a&q=b"),
    ("/api/v1/sessions/", "page=1&page=2"), ("/api/v1/flows/", "tag=a&tag=b"),
    ("/api/v1/handoffs/", "q=a&q=b"), ("/api/v1/events/", "after=1&after=2"),
    ("/api/v1/metrics/", "since=2026-01-01&since=2026-02-01"),
])
def test_a_one_value_parameter_given_twice_is_a_400_naming_it(api, engineer, path, query):
    response = api.as_user(engineer).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    parameter = query.split("=")[0]
    assert (response.json()["code"], response.json()["parameter"]) == ("invalid_filter", parameter)
    assert response.json()["errors"][parameter][0]["code"] == "repeated"


def test_a_filter_that_takes_several_values_may_be_repeated(api, senior):
    response = api.as_user(senior).get("/api/v1/handoffs/?status=open&status=claimed&urgency=high&urgency=low")
    assert response.status_code == 200



@pytest.mark.parametrize("path", ["/api/v1/metrics/", "/api/v1/events/", "/api/v1/sessions/", "HANDOFF_EVENTS"])
def test_endpoints_reading_their_own_parameters_take_format_json_and_refuse_others_alike(
        api, admin_user, northwind, engineer, path):
    if path == "HANDOFF_EVENTS":
        from handoffs import services as handoff_services

        session = SessionFactory(account=northwind, owner=engineer)
        handoff = handoff_services.handoff_escalate(session=session, actor=engineer, note="n")
        path = f"/api/v1/handoffs/{handoff.pk}/events/"
    client = api.as_user(admin_user)
    assert client.get(path, {"format": "json"}).status_code == 200
    response = client.get(path, {"bogus": "1"})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["parameter"]) == ("unknown_filter", "bogus")
