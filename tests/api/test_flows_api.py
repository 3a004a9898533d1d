"""The flow library through the API: everyone reads it; admins create, edit and import the
account's own flows; the shared starter library is read-only to accounts (403)."""

import pytest
from django.urls import reverse

from sessions_app.models import Flow
from tests.sessions_app.factories import FlowFactory, FlowSessionFactory, small_graph


def library(api, user, **params):
    response = api.as_user(user).get(reverse("flow-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def names(body):
    return [row["name"] for row in body["results"]]


def document(slug="scanner-offline", version=1, **changes):
    return {"slug": slug, "name": "Scanner offline", "version": version, "description": "TWAIN and WIA.",
            "tags": ["printing"], "keywords": ["scanner"], "graph": small_graph(), **changes}


@pytest.fixture
def shelf(northwind, outsider):
    return {
        "vpn": FlowFactory(account=None, name="VPN will not connect", slug="vpn-will-not-connect",
                           tags=["network", "remote"], keywords=["globalprotect", "anyconnect"]),
        "outlook": FlowFactory(account=None, name="Outlook will not start", slug="outlook-will-not-start",
                               tags=["email"], description="Safe mode, add-ins, profile"),
        "ours": FlowFactory(account=northwind, name="Northwind badge printer", tags=["printing"]),
        "off": FlowFactory(account=northwind, name="Retired runbook", is_active=False),
        "theirs": FlowFactory(account=outsider, name="Contoso runbook"),
    }


# ---- reading ------------------------------------------------------------------------------


def test_everyone_sees_the_accounts_flows_and_the_shared_library(api, viewer, shelf):
    body = library(api, viewer)
    assert names(body) == ["Northwind badge printer", "Outlook will not start", "VPN will not connect"]
    rows = {row["name"]: row for row in body["results"]}
    assert rows["VPN will not connect"]["is_global"] is True
    assert rows["Northwind badge printer"]["is_global"] is False
    assert "graph" not in rows["VPN will not connect"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "outlook"}, ["Outlook will not start"]),
    ({"q": "add-ins"}, ["Outlook will not start"]),
    ({"q": "ANYCONNECT"}, ["VPN will not connect"]),
    # Every word, in any order and in any searched field (resolutionflow.search.every_word).
    ({"q": "profile outlook"}, ["Outlook will not start"]),
    ({"q": "anyconnect vpn"}, ["VPN will not connect"]),
    ({"q": "anyconnect outlook"}, []),
    ({"tag": "Network"}, ["VPN will not connect"]),
    ({"tag": "print"}, []),
    ({"tag": "printing"}, ["Northwind badge printer"]),
    ({"include_inactive": "true", "q": "retired"}, ["Retired runbook"]),
    ({"include_inactive": "false", "q": "retired"}, []),
    ({"q": "retired"}, []),
])
def test_library_filters(api, engineer, shelf, params, expected):
    assert names(library(api, engineer, **params)) == expected


def test_an_account_flow_with_a_library_slug_replaces_the_library_one(api, engineer, northwind, shelf):
    ours = FlowFactory(account=northwind, name="VPN (Northwind edition)", slug="vpn-will-not-connect")
    body = library(api, engineer, q="vpn")
    assert [row["id"] for row in body["results"]] == [str(ours.pk)]


def test_a_flow_is_read_with_its_graph(api, viewer, shelf):
    body = api.as_user(viewer).get(reverse("flow-detail", args=[shelf["vpn"].pk])).json()
    assert body["graph"] == small_graph()
    assert (body["slug"], body["version"], body["tags"]) == ("vpn-will-not-connect", 1, ["network", "remote"])


def test_a_flow_is_exported_as_an_importable_document(api, viewer, shelf):
    body = api.as_user(viewer).get(reverse("flow-export", args=[shelf["outlook"].pk])).json()
    assert body == {"slug": "outlook-will-not-start", "name": "Outlook will not start",
                    "description": "Safe mode, add-ins, profile", "version": 1, "tags": ["email"], "keywords": [],
                    "graph": small_graph()}


# ---- creating -----------------------------------------------------------------------------


def test_an_admin_adds_a_flow_to_the_account(api, admin_user, northwind):
    response = api.as_user(admin_user).post(reverse("flow-list"), {
        "name": "Scanner offline", "description": "TWAIN", "tags": ["printing"], "graph": small_graph()},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["version"], body["is_global"], body["is_active"]) == ("scanner-offline", 1, False,
                                                                                       True)
    assert Flow.objects.owned_by(northwind).get().name == "Scanner offline"


def test_an_invalid_graph_is_a_400_listing_every_problem(api, admin_user, northwind):
    graph = small_graph()
    graph["steps"]["restart"]["options"] = [{"label": "Yes", "next": "nowhere"}]
    response = api.as_user(admin_user).post(reverse("flow-list"), {"name": "Broken", "graph": graph}, format="json")
    assert response.status_code == 400
    messages = [error["message"] for error in response.json()["errors"]["graph"]]
    assert "Step 'restart' option 'Yes' points to 'nowhere' which does not exist." in messages
    assert any("cannot be reached" in message for message in messages)
    assert response.json()["detail"].startswith("graph: ")
    assert not Flow.objects.owned_by(northwind).exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"graph": small_graph()}, "name"),
    ({"name": "x"}, "graph"),
    ({"name": "n" * 121, "graph": small_graph()}, "name"),
    ({"name": "x", "slug": "Not A Slug", "graph": small_graph()}, "slug"),
    ({"name": "x", "tags": ["t"] * 21, "graph": small_graph()}, "tags"),
    ({"name": "x", "version": 0, "graph": small_graph()}, "version"),
])
def test_a_flow_needs_a_name_and_a_graph_of_sane_size(api, admin_user, body, field):
    response = api.as_user(admin_user).post(reverse("flow-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_graph_that_is_not_an_object_is_refused_plainly(api, admin_user):
    response = api.as_user(admin_user).post(reverse("flow-list"), {"name": "x", "graph": "start here"},
                                            format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["graph"][0]["message"].startswith("The flow graph must be a JSON object")


def test_two_flows_of_the_account_cannot_share_a_slug(api, admin_user, northwind):
    FlowFactory(account=northwind, slug="scanner-offline")
    response = api.as_user(admin_user).post(reverse("flow-list"), {"name": "Scanner offline",
                                                                   "graph": small_graph()}, format="json")
    assert response.status_code == 400
    assert "already has a flow with this slug" in response.json()["detail"]


# ---- editing ------------------------------------------------------------------------------


def test_an_admin_edits_an_account_flow_and_its_version_rises(api, admin_user, shelf):
    url = reverse("flow-detail", args=[shelf["ours"].pk])
    response = api.as_user(admin_user).patch(url, {"name": "Badge printer", "keywords": ["zebra"]}, format="json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["keywords"], response.json()["version"]) == (
        "Badge printer", ["zebra"], 2)


def test_an_admin_switches_a_flow_off_and_on_again(api, admin_user, shelf):
    url = reverse("flow-detail", args=[shelf["ours"].pk])
    assert api.as_user(admin_user).patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert "Northwind badge printer" not in names(library(api, admin_user))
    assert api.as_user(admin_user).patch(url, {"is_active": True}, format="json").json()["is_active"] is True


def test_a_library_flow_is_read_only_with_a_403_that_says_how_to_customise_it(api, admin_user, shelf):
    response = api.as_user(admin_user).patch(reverse("flow-detail", args=[shelf["vpn"].pk]), {"name": "Ours"},
                                             format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "library_flow_read_only"
    assert "same slug" in response.json()["detail"]
    shelf["vpn"].refresh_from_db()
    assert shelf["vpn"].name == "VPN will not connect"


def test_an_edit_with_a_broken_graph_changes_nothing(api, admin_user, shelf):
    response = api.as_user(admin_user).patch(reverse("flow-detail", args=[shelf["ours"].pk]),
                                             {"name": "Renamed", "graph": {"start": "x", "steps": {}}}, format="json")
    assert response.status_code == 400
    shelf["ours"].refresh_from_db()
    assert (shelf["ours"].name, shelf["ours"].version) == ("Northwind badge printer", 1)


def test_the_slug_and_version_are_not_edited_directly(api, admin_user, shelf):
    response = api.as_user(admin_user).patch(reverse("flow-detail", args=[shelf["ours"].pk]),
                                             {"slug": "renamed", "version": 9}, format="json")
    assert response.status_code == 400  # nothing editable was sent
    shelf["ours"].refresh_from_db()
    assert (shelf["ours"].slug, shelf["ours"].version) != ("renamed", 9)


def test_editing_a_flow_leaves_running_sessions_on_their_snapshot(api, admin_user, engineer, shelf):
    session = FlowSessionFactory(account=engineer.account, owner=engineer, flow=shelf["ours"])
    api.as_user(admin_user).patch(reverse("flow-detail", args=[shelf["ours"].pk]), {"graph": {
        "start": "only", "steps": {"only": {"type": "resolution", "text": "Replaced"}}}}, format="json")
    session.refresh_from_db()
    assert (session.flow_version, session.current_step) == (1, "restart")


# ---- importing ----------------------------------------------------------------------------


def import_(api, user, body, **kwargs):
    return api.as_user(user).post(reverse("flow-import"), body, format="json", **kwargs)


def test_an_admin_imports_one_document(api, admin_user, northwind):
    response = import_(api, admin_user, document())
    assert response.status_code == 200, response.content
    assert response.json() == {"created": ["scanner-offline"], "updated": [], "unchanged": [], "skipped": {},
                               "summary": "1 created, 0 updated, 0 unchanged"}
    assert Flow.objects.owned_by(northwind).get().slug == "scanner-offline"


def test_an_import_of_many_reports_each_outcome(api, admin_user, northwind):
    import_(api, admin_user, [document("same"), document("newer"), document("older", version=3)])
    response = import_(api, admin_user, [document("same"), document("newer", version=2),
                                         document("older", version=2), document("fresh")])
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (["fresh"], ["newer"], ["same"])
    assert body["skipped"] == {"older": "version 2 is older than the stored version 3"}


def test_an_import_is_all_or_nothing_with_every_problem_listed(api, admin_user, northwind):
    broken = document("broken")
    broken["graph"] = {"start": "gone", "steps": {}}
    response = import_(api, admin_user, [document("fine"), broken, {"name": "no slug"}])
    assert response.status_code == 400
    messages = [error["message"] for error in response.json()["errors"]["non_field_errors"]]
    assert any(message.startswith("document 2 (broken): ") for message in messages)
    assert "document 3: missing 'slug'" in messages
    assert not Flow.objects.owned_by(northwind).exists()


def test_a_document_naming_one_slug_twice_is_refused(api, admin_user, northwind):
    response = import_(api, admin_user, [document("twice"), document("twice")])
    assert response.status_code == 400
    assert not Flow.objects.owned_by(northwind).exists()


@pytest.mark.parametrize("body", [[], "just text", 42])
def test_an_import_needs_documents(api, admin_user, body):
    assert import_(api, admin_user, body).status_code == 400


def test_an_import_must_be_json(api, admin_user):
    response = api.as_user(admin_user).post(reverse("flow-import"), {"slug": "x"}, format="multipart")
    assert response.status_code == 415


def test_an_import_of_malformed_json_is_a_400(api, admin_user):
    response = api.as_user(admin_user).post(reverse("flow-import"), "[{", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


def test_an_imported_copy_of_a_library_flow_replaces_it_for_the_account(api, admin_user, viewer, shelf):
    exported = api.as_user(admin_user).get(reverse("flow-export", args=[shelf["vpn"].pk])).json()
    exported["name"] = "VPN (Northwind edition)"
    import_(api, admin_user, exported)
    assert names(library(api, viewer, q="vpn")) == ["VPN (Northwind edition)"]
    shelf["vpn"].refresh_from_db()
    assert shelf["vpn"].name == "VPN will not connect"


def test_errors_inside_a_list_are_named_by_a_dotted_key_and_nothing_is_created(api, admin_user):
    body = {"name": "Printer offline", "graph": small_graph(), "keywords": ["spooler", {"a": 1}, None, "x" * 101],
            "tags": ["ok"] * 21}
    response = api.as_user(admin_user).post(reverse("flow-list"), body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {key: [error["code"] for error in messages] for key, messages in errors.items()} == {
        "keywords.1": ["invalid"], "keywords.2": ["null"], "keywords.3": ["max_length"], "tags": ["max_length"]}
    assert not Flow.objects.owned_by(admin_user.account).filter(name="Printer offline").exists()


def test_a_search_longer_than_the_limit_is_a_400(api, engineer, shelf):
    response = api.as_user(engineer).get(reverse("flow-list"), {"q": "x" * 201})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
