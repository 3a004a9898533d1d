"""An account's own flows: created, edited and imported by its admins; the shared library
stays read-only to accounts."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError

from accounts.errors import ServiceError
from resolutionflow.errors import http_status
from sessions_app.flows.graph import FlowValidationError
from sessions_app.models import Flow
from sessions_app.services import flow_create, flow_import, flow_update

from .factories import FlowFactory, small_graph


@contextmanager
def refused(code, status=None):
    with pytest.raises(ServiceError) as info:
        yield info
    assert info.value.code == code, info.value.detail
    assert status is None or http_status(info.value) == status


def document(slug="printer-offline", version=1, **changes):
    return {"slug": slug, "name": "Printer offline", "version": version, "description": "Spooler and queue.",
            "tags": ["printing"], "keywords": ["spooler"], "graph": small_graph(), **changes}


def test_an_admin_creates_a_flow_with_a_slug_from_its_name(northwind, admin_user):
    flow = flow_create(account=northwind, actor=admin_user, name=" Printer offline ", graph=small_graph(),
                       tags=["printing"])
    assert (flow.account, flow.slug, flow.name, flow.version, flow.tags) == (
        northwind, "printer-offline", "Printer offline", 1, ["printing"])


def test_an_invalid_graph_is_refused_with_every_problem(northwind, admin_user):
    graph = small_graph()
    graph["steps"]["restart"]["options"][0]["next"] = "nowhere"
    with pytest.raises(ValidationError) as info:
        flow_create(account=northwind, actor=admin_user, name="Broken", graph=graph)
    problems = info.value.message_dict["graph"]
    assert "Step 'restart' option 'Yes' points to 'nowhere' which does not exist." in problems
    assert "Step 'res-fixed' cannot be reached from the start step 'restart'." in problems
    assert not Flow.objects.owned_by(northwind).exists()


def test_two_flows_of_an_account_cannot_share_a_slug(northwind, admin_user):
    FlowFactory(account=northwind, slug="printer-offline")
    with pytest.raises(ValidationError, match="already has a flow with this slug"):
        flow_create(account=northwind, actor=admin_user, name="Printer offline", graph=small_graph())


def test_an_account_flow_may_take_a_library_slug_and_then_replaces_it(northwind, admin_user):
    library = FlowFactory(account=None, slug="printer-offline")
    own = flow_create(account=northwind, actor=admin_user, name="Printer offline", graph=small_graph())
    assert list(Flow.objects.available_to(northwind)) == [own]
    assert Flow.objects.global_library().get() == library


@pytest.mark.parametrize("role", ["engineer", "viewer"])
def test_only_admins_create_flows(northwind, role, engineer, viewer):
    with refused("permission_denied", 403):
        flow_create(account=northwind, actor={"engineer": engineer, "viewer": viewer}[role], name="Mine",
                    graph=small_graph())


def test_an_admin_cannot_create_a_flow_in_another_account(outsider, admin_user):
    with refused("permission_denied", 403):
        flow_create(account=outsider, actor=admin_user, name="Smuggled", graph=small_graph())


def test_editing_the_content_raises_the_version(northwind, admin_user):
    flow = FlowFactory(account=northwind, version=4)
    flow = flow_update(flow=flow, actor=admin_user, name="Printer offline (v2)", description=" New ")
    assert (flow.name, flow.description, flow.version) == ("Printer offline (v2)", "New", 5)


def test_switching_a_flow_off_keeps_its_version(northwind, admin_user):
    flow = flow_update(flow=FlowFactory(account=northwind), actor=admin_user, is_active=False)
    assert (flow.is_active, flow.version) == (False, 1)


def test_an_edit_that_changes_nothing_keeps_the_version(northwind, admin_user):
    flow = FlowFactory(account=northwind, name="Same")
    assert flow_update(flow=flow, actor=admin_user, name="Same", graph=small_graph()).version == 1


def test_an_edit_with_an_invalid_graph_leaves_the_flow_alone(northwind, admin_user):
    flow = FlowFactory(account=northwind)
    with pytest.raises(ValidationError):
        flow_update(flow=flow, actor=admin_user, graph={"start": "gone", "steps": {}})
    flow.refresh_from_db()
    assert (flow.graph, flow.version) == (small_graph(), 1)


def test_the_shared_library_is_read_only_to_accounts(admin_user):
    library = FlowFactory(account=None)
    with refused("library_flow_read_only", 403):
        flow_update(flow=library, actor=admin_user, name="Ours now")


def test_another_accounts_admin_cannot_edit_a_flow(northwind, outsider_admin):
    with refused("permission_denied", 403):
        flow_update(flow=FlowFactory(account=northwind), actor=outsider_admin, name="Ours now")


def test_only_content_and_the_switch_are_editable(northwind, admin_user):
    with refused("invalid"):
        flow_update(flow=FlowFactory(account=northwind), actor=admin_user, slug="renamed")


def test_an_import_reports_what_it_created_updated_left_and_skipped(northwind, admin_user):
    FlowFactory(account=northwind, slug="kept", name="Printer offline", version=1, description="Spooler and queue.",
                tags=["printing"], keywords=["spooler"])
    FlowFactory(account=northwind, slug="newer", version=1)
    FlowFactory(account=northwind, slug="older", version=5)
    report = flow_import(account=northwind, actor=admin_user, documents=[
        document("brand-new"), document("kept"), document("newer", version=2), document("older", version=2)])
    assert (report.created, report.updated, report.unchanged) == (["brand-new"], ["newer"], ["kept"])
    assert report.skipped == {"older": "version 2 is older than the stored version 5"}
    assert Flow.objects.owned_by(northwind).get(slug="newer").version == 2


def test_an_import_lands_in_the_account_never_in_the_library(northwind, admin_user):
    flow_import(account=northwind, actor=admin_user, documents=[document()])
    assert not Flow.objects.global_library().exists()
    assert Flow.objects.owned_by(northwind).get().slug == "printer-offline"


def test_one_bad_document_refuses_the_whole_import_naming_each_problem(northwind, admin_user):
    with pytest.raises(FlowValidationError) as info:
        flow_import(account=northwind, actor=admin_user, documents=[
            document("fine"), document("broken", version=0), "not a document"])
    assert info.value.messages == [
        "document 2 (broken): version 0 must be a whole number from 1",
        "document 3: a flow document must be a JSON object.",
    ]
    assert not Flow.objects.owned_by(northwind).exists()


def test_an_empty_import_is_refused(northwind, admin_user):
    with refused("empty_import", 400):
        flow_import(account=northwind, actor=admin_user, documents=[])


def test_only_admins_import(northwind, engineer):
    with refused("permission_denied", 403):
        flow_import(account=northwind, actor=engineer, documents=[document()])
