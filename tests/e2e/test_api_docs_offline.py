"""The API docs in a real browser request nothing from the internet.

The site is served under a name that is not localhost, as in production (Swagger UI's
validator badge skips specs on localhost): every request to http://docs.rf.test is answered
by this worker's live server, and every other request is recorded and refused."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)
SITE = "http://docs.rf.test"
# Both bundles are large (ReDoc's is 1 MB) and render the whole schema in the browser; on a
# loaded machine that takes longer than expect()'s default 5 s. A cap on waiting, not a timing.
RENDERED = 60_000


@pytest.fixture
def docs_page(browser, live_server, engineer):
    """``(page, outside)``: a signed-in page on SITE, and the list of URLs it tried elsewhere."""
    client = Client()
    client.force_login(engineer)
    context = browser.new_context()
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": SITE}])
    outside = []

    def serve(route):
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" != SITE:
            outside.append(route.request.url)
            route.abort()
            return
        local = live_server.url + url.path + (f"?{url.query}" if url.query else "")
        route.fulfill(response=route.fetch(url=local))

    context.route("**/*", serve)
    yield context.new_page(), outside
    context.close()


def test_swagger_ui_renders_the_schema_without_requests_elsewhere(docs_page):
    page, outside = docs_page
    page.goto(f"{SITE}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ResolutionFlow API", timeout=RENDERED)
    expect(page.locator(".opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert outside == []


def test_redoc_renders_the_schema_without_requests_elsewhere(docs_page):
    page, outside = docs_page
    page.goto(f"{SITE}/api/v1/redoc/")
    expect(page.locator("h1").first).to_contain_text("ResolutionFlow API", timeout=RENDERED)
    page.wait_for_load_state("networkidle")
    assert outside == []
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Montserrat" not in family
