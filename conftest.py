"""Personas shared by every test (docs/architecture.md#tests).

``northwind`` is the MSP under test: Vera (viewer), Jamie (junior engineer), Sam (senior
engineer) and Ada (admin). ``outsider`` is another MSP with its own admin, Olga; nothing of
Northwind may ever be visible to her, and the other way round.
"""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import AccountFactory, UserFactory


@pytest.fixture(autouse=True)
def _responses_match_the_schema():
    """Fails the test if any /api/v1/ response it caused disagreed with the OpenAPI schema
    (tests/schema_check.py), also one answered in a live server's thread."""
    from tests import schema_check

    schema_check.mismatches.clear()
    yield
    found, schema_check.mismatches[:] = list(schema_check.mismatches), []
    if found:
        pytest.fail("API responses disagree with the OpenAPI schema:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def _a_fresh_channel_layer_per_test():
    """Each test runs its own event loop, but the channel layer is one object per process.
    channels_redis keeps receive state (a lock bound to the loop of the receive in progress)
    on that object, so a receive still pending when an earlier test's loop ended broke every
    later Redis test on that worker ("Lock ... bound to a different event loop", 2 CI runs of 4).
    A server process has one loop for its life; tests get a fresh layer instead."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def northwind(db):
    return AccountFactory(name="Northwind IT", slug="northwind")


@pytest.fixture
def outsider(db):
    return AccountFactory(name="Contoso Managed Services", slug="contoso")


@pytest.fixture
def viewer(northwind):
    return UserFactory(account=northwind, role=Role.VIEWER, email="vera@northwind.test", display_name="Vera Viewer")


@pytest.fixture
def engineer(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="jamie@northwind.test", display_name="Jamie Junior")


@pytest.fixture
def senior(northwind):
    return UserFactory(account=northwind, role=Role.ENGINEER, email="sam@northwind.test", display_name="Sam Senior")


@pytest.fixture
def admin_user(northwind):
    return UserFactory(account=northwind, role=Role.ADMIN, email="ada@northwind.test", display_name="Ada Admin")


@pytest.fixture
def outsider_admin(outsider):
    return UserFactory(account=outsider, role=Role.ADMIN, email="olga@contoso.test", display_name="Olga Outsider")


@pytest.fixture
def personas(viewer, engineer, senior, admin_user, outsider_admin):
    return {"viewer": viewer, "engineer": engineer, "senior": senior, "admin": admin_user,
            "outsider": outsider_admin}


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` signs it in by forcing authentication."""
    client = APIClient()

    def as_user(user):
        client.force_authenticate(user=user)
        return client

    client.as_user = as_user
    return client
