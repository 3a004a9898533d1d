"""Links in emails and command output use the address the server runs on: ``make`` exports
SITE_URL from HOST and PORT to every command it runs, and every link builder reads
settings.SITE_URL."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.services.invitations import invitation_url
from handoffs.webhooks import handoff_url

ROOT = Path(__file__).resolve().parent.parent


def site_url_make_passes_on(*args, env=None) -> str:
    """The SITE_URL a command run by ``make`` sees (a throwaway target prints it)."""
    if shutil.which("make") is None:
        pytest.fail("these tests need make (apt-get install -y make)")
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "--eval", 'site-url-probe: ; @echo "$$SITE_URL"',
         "site-url-probe", *args],
        capture_output=True, text=True, check=True, env=env, timeout=60,
    )
    return result.stdout.strip()


def clean_env():
    return {key: value for key, value in os.environ.items() if key not in {"SITE_URL", "HOST", "PORT"}}


def test_make_run_on_another_port_points_links_at_that_port():
    assert site_url_make_passes_on("PORT=8101", env=clean_env()) == "http://127.0.0.1:8101"


def test_make_without_arguments_points_links_at_the_default_address():
    assert site_url_make_passes_on(env=clean_env()) == "http://127.0.0.1:8000"


def test_a_site_url_set_in_the_environment_wins_over_host_and_port():
    env = {**clean_env(), "SITE_URL": "https://rf.example.com"}
    assert site_url_make_passes_on("PORT=8101", env=env) == "https://rf.example.com"


def test_invitation_links_are_built_from_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    assert invitation_url("tok") == "http://127.0.0.1:8101" + reverse("accept_invitation", args=["tok"])


def test_escalation_links_are_built_from_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"

    class Escalation:
        pk = uuid.uuid4()

    assert handoff_url(Escalation) == "http://127.0.0.1:8101" + reverse("handoffs:detail", args=[Escalation.pk])
