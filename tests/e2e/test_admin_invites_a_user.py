import re

import pytest
from playwright.sync_api import expect

# The live server answers from its own thread and connection: what the test creates must be
# committed for it to see, so no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_invites_an_engineer_from_the_account_page(page, admin_user, log_in):
    log_in(admin_user)

    page.get_by_test_id("nav-account").click()
    page.get_by_test_id("invite-email").fill("new.tech@northwind.test")
    page.get_by_test_id("invite-role").select_option("engineer")
    page.get_by_test_id("invite-submit").click()

    row = page.get_by_test_id("invitations-table").locator(
        '[data-testid="invitation-row"][data-email="new.tech@northwind.test"]'
    )
    expect(row).to_contain_text(re.compile("pending", re.IGNORECASE))
