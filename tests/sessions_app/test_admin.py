"""Django admin for flows and sessions: the same graph validation as an import, the global
library read-only to account staff, another account's flows and sessions never found."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from sessions_app.flows.graph import graph_problems
from sessions_app.models import FixStatus, Flow, MessageKind, SessionStatus, TroubleshootingSession
from tests.factories import UserFactory

from .factories import (
    FactFactory,
    FixFactory,
    FlowFactory,
    FlowSessionFactory,
    MessageFactory,
    SessionFactory,
    small_graph,
)


@pytest.fixture
def superuser(db):
    return UserFactory(account=None, email="root@resolutionflow.test", display_name="Root",
                       is_staff=True, is_superuser=True)


@pytest.fixture
def northwind_staff(northwind):
    """Staff of Northwind with every sessions_app permission (an engineer: the admin's power
    comes from Django permissions, not from the account role)."""
    user = UserFactory(account=northwind, role=Role.ENGINEER, email="nadia@northwind.test",
                       display_name="Nadia Staff", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="sessions_app"))
    return user


@pytest.fixture
def world(northwind, outsider, engineer, outsider_admin):
    ours = SessionFactory(account=northwind, owner=engineer, title="Outlook hangs at Harbor Dental",
                          client_name="Harbor Dental", ticket_ref="PSA-1042")
    FactFactory(session=ours, key="os", value="Windows 11 23H2")
    FixFactory(session=ours, title="Rebuild the .ost", status=FixStatus.FAILED, outcome_note="Still hangs.")
    MessageFactory(session=ours, body="Safe mode hangs too.")
    global_flow = FlowFactory(account=None, slug="disk-full", name="Disk full")
    return {
        "global": global_flow,
        "our_flow": FlowFactory(account=northwind, slug="vpn-northwind", name="VPN (Northwind)"),
        "their_flow": FlowFactory(account=outsider, slug="vpn-contoso", name="VPN (Contoso)"),
        "our_session": ours,
        "our_flow_session": FlowSessionFactory(account=northwind, owner=engineer, flow=global_flow,
                                               title="Printer offline at Meyer",
                                               client_name="Meyer & Sons Logistics"),
        "their_session": SessionFactory(account=outsider, owner=outsider_admin, title="Contoso mailbox missing",
                                        client_name="Tailspin Toys"),
    }


def url(obj, view="change"):
    return reverse(f"admin:sessions_app_{obj._meta.model_name}_{view}", args=[obj.pk])


def changelist(model, query=""):
    return reverse(f"admin:sessions_app_{model._meta.model_name}_changelist") + query


def listed(client, model, query=""):
    response = client.get(changelist(model, query))
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def flow_form(flow, **changes):
    data = {"name": flow.name, "is_active": "on" if flow.is_active else "", "description": flow.description,
            "tags": ", ".join(flow.tags), "keywords": ", ".join(flow.keywords), "graph": json.dumps(flow.graph)}
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def shown_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# ---- flows: who sees and edits what --------------------------------------------------------


def test_a_superuser_sees_every_flow(client, superuser, world):
    client.force_login(superuser)
    assert listed(client, Flow) == {world["global"], world["our_flow"], world["their_flow"]}


def test_account_staff_see_their_flows_and_the_global_library_only(client, northwind_staff, world):
    client.force_login(northwind_staff)
    assert listed(client, Flow) == {world["global"], world["our_flow"]}
    page = client.get(changelist(Flow)).content.decode()
    assert "Global library" in page and "Contoso" not in page


@pytest.mark.parametrize("user", ["superuser", "northwind_staff"])
def test_the_flow_changelist_renders_with_a_search_and_filters(client, request, world, user):
    client.force_login(request.getfixturevalue(user))
    assert listed(client, Flow, "?q=vpn&is_active__exact=1&library=account") >= {world["our_flow"]}
    assert listed(client, Flow, "?library=global") == {world["global"]}
    response = client.get(changelist(Flow))
    assert response.context["cl"].result_count >= 2
    columns = [str(header["text"]).lower() for header in response.context["result_headers"]]
    assert columns[1:] == ["name", "slug", "account", "version", "is active", "steps", "updated at"]


def test_account_staff_view_a_global_flow_read_only_and_cannot_post_to_it(client, northwind_staff, world):
    client.force_login(northwind_staff)
    flow = world["global"]
    response = client.get(url(flow))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    page = response.content.decode()
    assert "3 steps (1 question, 0 actions, 2 resolutions)" in page and 'name="_save"' not in page
    response = client.post(url(flow), flow_form(flow, name="Hijacked"))
    assert response.status_code == 403
    flow.refresh_from_db()
    assert flow.name == "Disk full"


def test_a_superuser_edits_a_global_flow(client, superuser, world):
    client.force_login(superuser)
    flow = world["global"]
    assert client.post(url(flow), flow_form(flow, name="Disk full (C:)")).status_code == 302
    flow.refresh_from_db()
    assert (flow.name, flow.version) == ("Disk full (C:)", 2)


@pytest.mark.parametrize("key", ["their_flow", "their_session"])
def test_another_accounts_flow_or_session_is_not_found_by_account_staff(client, northwind_staff, world, key):
    client.force_login(northwind_staff)
    for response in (client.get(url(world[key])), client.post(url(world[key]), {"name": "Hijacked"})):
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    obj = type(world[key]).unscoped.get(pk=world[key].pk)
    assert (obj.name if key == "their_flow" else obj.title) in ("VPN (Contoso)", "Contoso mailbox missing")


def test_staff_without_an_account_see_the_global_library_read_only(client, db, world):
    platform = UserFactory(account=None, email="pat@resolutionflow.test", is_staff=True)
    platform.user_permissions.set(Permission.objects.filter(content_type__app_label="sessions_app"))
    client.force_login(platform)
    assert listed(client, Flow) == {world["global"]}
    assert client.get(reverse("admin:sessions_app_flow_add")).status_code == 403
    assert client.post(url(world["global"]), flow_form(world["global"])).status_code == 403
    assert client.get(changelist(TroubleshootingSession)).status_code == 403


# ---- flows: the form -----------------------------------------------------------------------


def test_the_graph_is_edited_as_indented_json(client, northwind_staff, world):
    client.force_login(northwind_staff)
    page = client.get(url(world["our_flow"])).content.decode()
    assert "{\n  &quot;start&quot;: &quot;restart&quot;,\n  &quot;steps&quot;: {" in page


def test_an_invalid_graph_shows_the_import_messages_and_saves_nothing(client, northwind_staff, world):
    client.force_login(northwind_staff)
    flow = world["our_flow"]
    broken = small_graph()
    broken["steps"]["restart"]["options"][1]["next"] = "nowhere"
    response = client.post(url(flow), flow_form(flow, name="Renamed", graph=json.dumps(broken)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["graph"]
    assert errors == graph_problems(broken) == [
        "Step 'restart' option 'No' points to 'nowhere' which does not exist.",
        "Step 'res-escalate' cannot be reached from the start step 'restart'.",
    ]
    flow.refresh_from_db()
    assert (flow.name, flow.graph, flow.version) == ("VPN (Northwind)", small_graph(), 1)


def test_json_that_does_not_parse_says_where(client, northwind_staff, world):
    client.force_login(northwind_staff)
    response = client.post(url(world["our_flow"]), flow_form(world["our_flow"], graph='{"start": "restart",\n}'))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["graph"] == [
        "Not valid JSON (line 2, column 1: Expecting property name enclosed in double quotes)."]


def test_a_content_change_saves_as_the_next_version_and_a_flag_change_does_not(client, northwind_staff, world):
    client.force_login(northwind_staff)
    flow = world["our_flow"]
    graph = small_graph()
    graph["steps"]["res-fixed"]["text"] = "A restart fixed it; note the uptime."
    response = client.post(url(flow), flow_form(flow, graph=json.dumps(graph), tags="vpn, remote"))
    assert response.status_code == 302
    assert any("now version 2" in message for message in shown_messages(response))
    flow.refresh_from_db()
    assert (flow.version, flow.graph, flow.tags) == (2, graph, ["vpn", "remote"])
    client.post(url(flow), flow_form(flow, is_active=""))
    flow.refresh_from_db()
    assert (flow.version, flow.is_active) == (2, False)


def test_staff_add_a_flow_to_their_own_account_only(client, northwind_staff, northwind, outsider, world):
    client.force_login(northwind_staff)
    form = client.get(reverse("admin:sessions_app_flow_add")).context["adminform"].form
    assert list(form.fields["account"].queryset) == [northwind] and form.fields["account"].required
    data = {"slug": "printer-jam", "name": "Printer jam", "version": "1", "is_active": "on", "tags": "printing",
            "keywords": "", "description": "", "graph": json.dumps(small_graph())}
    refused = client.post(reverse("admin:sessions_app_flow_add"), {**data, "account": str(outsider.pk)})
    assert refused.status_code == 200 and "account" in refused.context["adminform"].form.errors
    add = reverse("admin:sessions_app_flow_add")
    assert client.post(add, {**data, "account": ""}).status_code == 200
    assert client.post(add, {**data, "account": str(northwind.pk)}).status_code == 302
    flow = Flow.objects.owned_by(northwind).get(slug="printer-jam")
    assert flow.tags == ["printing"] and not Flow.objects.owned_by(outsider).filter(slug="printer-jam").exists()


def test_a_superuser_adds_a_global_flow_and_a_taken_slug_is_refused(client, superuser, world):
    client.force_login(superuser)
    data = {"account": "", "name": "Printer jam", "version": "1", "is_active": "on", "tags": "", "keywords": "",
            "description": "", "graph": json.dumps(small_graph())}
    assert client.post(reverse("admin:sessions_app_flow_add"), {**data, "slug": "printer-jam"}).status_code == 302
    assert Flow.objects.global_library().filter(slug="printer-jam").exists()
    response = client.post(reverse("admin:sessions_app_flow_add"), {**data, "slug": "disk-full"})
    assert response.status_code == 200
    assert "The library already has a flow with this slug." in str(response.context["adminform"].form.errors)


def test_deactivating_skips_the_global_library_for_account_staff(client, northwind_staff, world):
    client.force_login(northwind_staff)
    response = client.post(changelist(Flow), {
        "action": "deactivate_flows", "_selected_action": [str(world["global"].pk), str(world["our_flow"].pk)],
    })
    assert response.status_code == 302
    world["global"].refresh_from_db(), world["our_flow"].refresh_from_db()
    assert world["global"].is_active and not world["our_flow"].is_active
    assert any("changed only by platform staff" in message for message in shown_messages(response))


def test_a_flow_downloads_as_the_document_load_flows_reads(client, northwind_staff, world):
    client.force_login(northwind_staff)
    response = client.post(changelist(Flow), {"action": "download_flows",
                                              "_selected_action": [str(world["global"].pk)]})
    assert response["Content-Disposition"] == 'attachment; filename="disk-full.json"'
    assert json.loads(response.content)["graph"] == small_graph()


# ---- sessions -------------------------------------------------------------------------------


def test_account_staff_see_only_their_accounts_sessions(client, northwind_staff, world):
    client.force_login(northwind_staff)
    assert listed(client, TroubleshootingSession) == {world["our_session"], world["our_flow_session"]}
    assert "Contoso" not in client.get(changelist(TroubleshootingSession)).content.decode()


@pytest.mark.parametrize("user", ["superuser", "northwind_staff"])
def test_the_session_changelist_renders_with_a_search_and_filters(client, request, world, user):
    client.force_login(request.getfixturevalue(user))
    assert listed(client, TroubleshootingSession, "?q=harbor&status__exact=active&mode__exact=assistant") == {
        world["our_session"]}
    assert listed(client, TroubleshootingSession, "?q=PSA-1042") == {world["our_session"]}
    assert listed(client, TroubleshootingSession, "?mode__exact=flow") == {world["our_flow_session"]}
    owner = world["our_session"].owner_id
    assert world["our_session"] in listed(client, TroubleshootingSession, f"?owner__id__exact={owner}")


def test_a_session_page_is_read_only_and_shows_facts_fixes_transcript_and_ticket_note(client, northwind_staff, world):
    client.force_login(northwind_staff)
    session = world["our_session"]
    response = client.get(url(session))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    page = response.content.decode()
    for text in ("Windows 11 23H2", "Rebuild the .ost", "Still hangs.", "Safe mode hangs too.", "Ticket PSA-1042",
                 "Rebuild the .ost (did not help)"):
        assert text in page
    assert client.post(url(session), {"title": "Changed", "status": SessionStatus.RESOLVED}).status_code == 403
    session.refresh_from_db()
    assert (session.title, session.status) == ("Outlook hangs at Harbor Dental", SessionStatus.ACTIVE)
    assert client.get(reverse("admin:sessions_app_troubleshootingsession_add")).status_code == 403


def test_a_flow_session_page_shows_the_path_so_far(client, superuser, world, engineer):
    from sessions_app.services import flow_answer

    session = world["our_flow_session"]
    flow_answer(session=session, actor=engineer, step="restart", option="No")
    MessageFactory(session=session, kind=MessageKind.NOTE, body="Asked the user to restart twice.")
    client.force_login(superuser)
    page = client.get(url(session)).content.decode()
    assert "Did a restart fix it? → <strong>No</strong>" in page and "res-escalate" in page


def test_a_filtered_changelist_does_not_count_every_row_of_the_model(client, superuser, northwind, engineer):
    """Issue 9: ``show_full_result_count`` is off in every tenant admin, so a filtered page
    counts only its matches ("Show all" instead of "(200,000 total)")."""
    SessionFactory.create_batch(3, account=northwind, owner=engineer, client_name="Harbor Dental")
    SessionFactory(account=northwind, owner=engineer, client_name="Fabrikam")
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist(TroubleshootingSession, "?q=Fabrikam"))

    assert response.status_code == 200
    counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts and all("Fabrikam" in sql or "%" in sql for sql in counts), counts
    assert "total)" not in response.content.decode()
