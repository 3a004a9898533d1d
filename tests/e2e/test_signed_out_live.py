"""A technician's open page stops receiving the moment their login ends: platform staff set a
new password for them in Django admin (it ends every cookie login of the person), and the
queue page the technician has open says so instead of going on showing live escalations."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-new-long-pass-1984"


def test_a_password_set_in_admin_signs_the_open_queue_page_out(northwind, engineer, browser_as):
    staff = UserFactory(account=northwind, role=Role.ADMIN, display_name="Platform Staff", is_staff=True,
                        is_superuser=True)
    technician = browser_as(engineer)
    technician.goto("/escalations/")
    expect(technician.locator("html")).to_have_attribute("data-live", "open")

    admin = browser_as(staff)
    form = f"/admin/accounts/user/{engineer.pk}/password/"
    admin.goto(form)
    csrf = next(c["value"] for c in admin.context.cookies() if c["name"] == "csrftoken")
    answer = admin.request.post(form, form={"password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                            "usable_password": "true", "csrfmiddlewaretoken": csrf},
                                headers={"Referer": admin.url}, max_redirects=0)
    assert answer.status == 302, answer.text()

    expect(technician.get_by_test_id("live-state")).to_have_text("Signed out: reload the page to sign in again.")
    expect(technician.locator("html")).to_have_attribute("data-live", "off")
    technician.reload()
    expect(technician).to_have_url(re.compile(r"/login/\?next=/escalations/$"))
