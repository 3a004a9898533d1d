"""The OpenAPI schema describes every endpoint, and the docs work with no internet."""

import re

import yaml
from django.urls import reverse

from .endpoints import api_endpoints


def test_the_schema_documents_every_routed_operation(client, db):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    documented = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert len(documented) >= sum(1 for name, *_ in api_endpoints() if name not in {"schema", "api-docs", "api-redoc"})
    assert ("/api/v1/users/{id}/", "patch") in documented
    assert ("/api/v1/invitations/{id}/revoke/", "post") in documented
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_the_docs_page_loads_its_assets_from_this_server(client, db):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page references no assets"
    assert all(not a.startswith(("http://", "https://", "//")) for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            served = client.get(asset)
            served.close()  # whitenoise streams the file; close it like a server would
            assert served.status_code == 200, asset
