"""Lists that do not grow with the table (issue 9): a page-number list counts at most
``COUNT_CAP`` rows (resolutionflow.pagination), says ``count_exact: false`` past it, and still
pages on to the end through ``next``. The cap is lowered to 5 here; the rule is the same at
1,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tests.api.endpoints import api_endpoints
from tests.handoffs.escalations import escalated
from tests.sessions_app.factories import SessionFactory

CAP = 5


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr("resolutionflow.pagination.COUNT_CAP", CAP)
    return CAP


@pytest.fixture(params=["sessions", "queue"])
def rows(request, northwind, engineer):
    """(list URL, ids of its 8 rows)."""
    if request.param == "sessions":
        made = [SessionFactory(account=northwind, owner=engineer) for _ in range(8)]
        return reverse("session-list"), {str(row.pk) for row in made}
    made = [escalated(northwind, engineer) for _ in range(8)]
    return reverse("handoff-list"), {str(row.pk) for row in made}


def test_past_the_cap_the_count_says_more_and_the_pages_go_on_to_the_end(api, engineer, cap, rows):
    url, ids = rows
    client = api.as_user(engineer)

    first = client.get(url, {"page_size": 2}).json()
    assert (first["count"], first["count_exact"], first["previous"]) == (CAP, False, None)

    seen, page = [], first
    while True:
        seen += [row["id"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert sorted(seen) == sorted(ids)
    # The last page reaches the end, so it knows the total without counting every row.
    assert (page["count"], page["count_exact"]) == (8, True)


def test_a_page_past_the_cap_counts_at_least_the_rows_up_to_it_without_counting(api, engineer, cap, rows):
    url, _ = rows
    with CaptureQueriesContext(connection) as queries:
        body = api.as_user(engineer).get(url, {"page_size": 2, "page": 3}).json()  # rows 5-6 of 8

    assert (body["count"], body["count_exact"]) == (6, False)
    assert body["next"] and body["previous"]
    assert not [q for q in queries if q["sql"].startswith("SELECT COUNT(*)")]  # the page showed more than the cap


def test_at_the_cap_the_count_is_exact(api, engineer, northwind, cap):
    for _ in range(CAP):
        SessionFactory(account=northwind, owner=engineer)

    body = api.as_user(engineer).get(reverse("session-list"), {"page_size": 2}).json()

    assert (body["count"], body["count_exact"]) == (CAP, True)


def test_page_last_is_the_one_request_that_counts_every_row(api, engineer, cap, rows):
    url, ids = rows
    body = api.as_user(engineer).get(url, {"page_size": 3, "page": "last"}).json()

    assert (body["count"], body["count_exact"], len(body["results"]), body["next"]) == (8, True, 2, None)
    assert "page=2" in body["previous"]


def test_the_count_reads_at_most_cap_plus_one_rows(api, engineer, cap, rows):
    url, _ = rows
    client = api.as_user(engineer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page_size": 2}).status_code == 200

    counts = [query["sql"] for query in queries if query["sql"].startswith("SELECT COUNT(*)")]  # the total
    assert len(counts) == 1
    assert f"LIMIT {CAP + 1}" in counts[0]


def test_a_page_past_the_end_is_still_a_404(api, engineer, rows):
    url, _ = rows
    response = api.as_user(engineer).get(url, {"page_size": 2, "page": 5})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_every_page_numbered_list_says_whether_its_count_is_exact(api, admin_user, northwind):
    SessionFactory(account=northwind, owner=admin_user)
    client = api.as_user(admin_user)
    checked = []
    for name, method, view, action in api_endpoints():
        if action != "list":
            continue
        try:
            path = reverse(name)
        except NoReverseMatch:  # a list inside one object (a session's messages): the same paginator
            continue
        body = client.get(path).json()
        if "count" in body:
            assert body["count_exact"] is True, name
            checked.append(name)
    assert {"session-list", "handoff-list", "invitation-list", "user-list"} <= set(checked)
