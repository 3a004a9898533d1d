import pytest
from playwright.sync_api import expect

# The live server answers from its own thread and connection: what the test creates must be
# committed for it to see, so no wrapping transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_engineer_logs_in_sees_their_name_and_logs_out(page, live_server, engineer, log_in):
    log_in(engineer)

    expect(page.get_by_test_id("home-greeting")).to_contain_text("Jamie Junior")

    page.get_by_test_id("logout").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_test_id("login-email")).to_be_visible()
