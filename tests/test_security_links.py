"""Links in email and on pages come from SITE_URL, never the request's Host (issue 10, #10).

The attacker's request carries a Host that is in ALLOWED_HOSTS (as behind a permissive proxy, or
a second name for the site) with another port: the emails must still point at SITE_URL.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Invitation

SITE = "https://portal.example.org"
HOSTILE = "evil.example.net:6666"


@pytest.fixture
def hostile_host(settings):
    settings.SITE_URL = SITE + "/"
    settings.ALLOWED_HOSTS = ["evil.example.net", "testserver", "portal.example.org"]
    return {"HTTP_HOST": HOSTILE}


def test_it_builds_the_password_reset_link_from_site_url(client, pat, mailoutbox, hostile_host):
    response = client.post(reverse("password_reset"), {"email": pat.email}, **hostile_host)
    assert response.status_code == 302
    [message] = mailoutbox
    assert "evil" not in message.subject + message.body
    link = re.search(r"\S+/accounts/reset/\S+", message.body).group(0)
    assert link.startswith(SITE + "/accounts/reset/")
    # The link works.
    assert client.get(link.removeprefix(SITE), follow=True).status_code == 200


def test_it_builds_the_alert_email_link_from_site_url(
    api_client, pat, cleo, mailoutbox, hostile_host, django_capture_on_commit_callbacks
):
    from journal.selectors import patient_today

    body = {
        "date": patient_today(pat).isoformat(),
        "pain": 6,
        "fatigue": 7,
        "sleep_quality": 3,
        "cognition": 5,
        "mood": 2,
        "self_harm_thoughts": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(pat).post("/api/v1/entries/", body, format="json", **hostile_host)
    assert response.status_code == 201
    [message] = mailoutbox
    assert f"{SITE}/clinician/alerts/" in message.body
    assert "evil" not in message.body


def test_the_invitation_link_shown_to_the_clinician_uses_site_url(client_for, cleo, hostile_host):
    client = client_for(cleo)
    response = client.post(reverse("clinician-invitations"), **hostile_host)
    assert response.status_code == 302
    code = Invitation.objects.get(clinician=cleo).code
    page = client.get(reverse("clinician-invitations"), **hostile_host).content.decode()
    assert f"{SITE}/accounts/invite/{code}/" in page
    assert "evil.example.net" not in page


def test_seed_demo_prints_the_sign_in_url_of_site_url(db, settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Sign in at http://127.0.0.1:8123/accounts/login/" in out.getvalue()
