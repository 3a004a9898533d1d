"""The API docs load nothing from the internet: every docs page (Swagger UI, ReDoc, the schema)
and every asset a page references (scripts, stylesheets, icons) point only at the site itself.

What a browser really requests is checked by tests/e2e/test_api_docs_offline.py; this module
reads what the server sends."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

DOCS_PAGES = ["api-docs", "api-redoc"]
SITE = "http://testserver"
# Reserved for documentation (RFC 2606): DRF's pagination examples in the schema use them.
EXAMPLE_HOSTS = re.compile(r"(^|\.)example\.(org|com|net)$")
# Where web fonts and front-end libraries are fetched from when a page is not self-contained.
FETCH_HOSTS = re.compile(r"fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.|"
                         r"validator\.swagger\.io")
URL = re.compile(r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'<>)]*""", re.I)


class References(HTMLParser):
    """Every URL the page would load: src and href of scripts, stylesheets, icons, images, and
    URLs in inline styles and scripts."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
               ("redoc", "spec-url")}

    def __init__(self, html: str):
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if (tag, name) in self.LOADING and value]

    def handle_data(self, data):
        self.inline.append(data)


def external(urls) -> list[str]:
    found = []
    for url in urls:
        host = urlsplit(urljoin(SITE + "/", url)).hostname or ""
        if host != "testserver" and not EXAMPLE_HOSTS.search(host):
            found.append(url)
    return found


@pytest.fixture
def reader(client, engineer):
    client.force_login(engineer)
    return client


@pytest.mark.parametrize("name", DOCS_PAGES)
def test_a_docs_page_references_only_the_site(reader, name):
    response = reader.get(reverse(name))
    assert response.status_code == 200
    page = References(response.content.decode())

    assert page.urls, "the page references its script"
    assert external(page.urls) == []
    assert external(URL.findall("\n".join(page.inline))) == []


@pytest.mark.parametrize("name", DOCS_PAGES)
def test_the_assets_of_a_docs_page_load_nothing_from_elsewhere(reader, name):
    page = References(reader.get(reverse(name)).content.decode())
    assets = [url for url in page.urls if url.startswith("/static/")]
    assert assets, "the page's script is served by the site"
    for asset in assets:
        response = reader.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
            "utf-8", "replace")
        # Stylesheets: every url() and @import; scripts: the hosts fonts and libraries come from.
        loads = re.findall(r"""url\(\s*['"]?([^'")]+)""", body) + re.findall(r"""@import\s+['"]([^'"]+)""", body)
        assert external(url for url in loads if not url.startswith("data:")) == [], asset
        if asset.endswith(".js"):
            # Swagger UI's bundle names validator.swagger.io as its default validator; the
            # page's settings turn it off (next test), so only the script's own loads count.
            assert not FETCH_HOSTS.search(body.replace("https://validator.swagger.io/validator", "")), asset


def test_swagger_ui_does_not_ask_the_online_validator_for_a_badge(reader):
    # Swagger UI's default validatorUrl is validator.swagger.io: a layout with the validator
    # badge loads an image from there for every spec not on localhost. Turned off.
    # The page loads its start-up script as a file (?script), so it has no inline script (CSP).
    script = reader.get(reverse("api-docs") + "?script").content.decode()
    settings = json.loads(re.search(r"const swaggerSettings = (\{.*?\});", script, re.S).group(1))
    assert settings["validatorUrl"] is None


def test_redoc_uses_the_systems_fonts(reader):
    html = reader.get(reverse("api-redoc")).content.decode()
    # The settings travel as JSON data (no inline script: CSP); static/js/redoc-init.js reads them.
    raw = json.loads(re.search(r'<script id="redoc-settings" type="application/json">(.*?)</script>', html,
                               re.S).group(1))
    redoc = json.loads(raw) if isinstance(raw, str) else raw
    assert "Montserrat" not in html and "fonts.googleapis" not in html
    assert redoc["theme"]["typography"]["fontFamily"].startswith("system-ui")


def test_the_schema_names_no_other_server(reader, settings):
    settings.SITE_URL = "http://testserver"
    response = reader.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    # Its one server is the site's own address (SITE_URL).
    assert [server["url"] for server in schema["servers"]] == ["http://testserver"]
    assert external(URL.findall(response.content.decode())) == []
    refs = re.findall(r'"\$ref":\s*"([^"]+)"', response.content.decode())
    assert refs and all(ref.startswith("#/") for ref in refs)
