"""``GET /api/v1/palette/``: exactly what the page's palette (``/palette.json``) offers the
same person, from the one function both answer with."""

import pytest
from django.urls import reverse

from handoffs import services as handoff_services
from tests.sessions_app.factories import FlowFactory, SessionFactory


@pytest.fixture
def content(northwind, engineer, senior, outsider, outsider_admin):
    FlowFactory(account=northwind, name="Printer offline", slug="printer-offline")
    FlowFactory(account=outsider, name="Contoso secret runbook", slug="contoso-secret")
    SessionFactory(account=northwind, owner=engineer, title="Harbor Dental VPN drops")
    theirs = SessionFactory(account=outsider, owner=outsider_admin, title="Contoso payroll server down")
    handoff_services.handoff_escalate(session=theirs, actor=outsider_admin, note="Stuck")
    stuck = SessionFactory(account=northwind, owner=senior, title="Mail relay rejects SPF")
    return handoff_services.handoff_escalate(session=stuck, actor=senior, note="Stuck on SPF")


@pytest.mark.parametrize("who", ["viewer", "engineer", "admin_user"])
def test_the_api_gives_what_the_page_palette_gives(api, client, request, content, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get("/palette.json").json()["items"]
    response = api.as_user(user).get(reverse("palette"))
    assert response.status_code == 200
    assert response.json()["items"] == page
    ids = {item["id"] for item in page}
    assert f"handoff:{content.pk}" in ids and "page:queue" in ids  # the palette_items signal's entries
    assert not any("Contoso" in item["label"] or "contoso" in item["id"] for item in page)
    assert ("new-assistant" in ids) == (who != "viewer")
    assert ("page:account" in ids) == (who == "admin_user")
    assert "flow:printer-offline" in ids or who == "viewer"
    for item in page:
        assert set(item) == {"id", "label", "group", "url", "hint", "keywords"}
        assert all(isinstance(value, str) for value in item.values())
