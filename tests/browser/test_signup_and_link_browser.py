"""A new patient signs up, confirms the address from the email, accepts a clinician's
invitation; the clinician then sees them."""

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import CareLink, Invitation, User
from accounts.services import invitation_create
from conftest import PASSWORD, make_clinician


def test_patient_signs_up_and_shares_with_clinician(
    page, live_server, login, transactional_db, shot_dir, settings
):
    settings.SITE_URL = live_server.url  # links in email point at this server
    clinician = make_clinician("dr.browser@example.com", "Dr Browser")
    invitation = invitation_create(clinician=clinician)

    page.goto(f"{live_server.url}/accounts/signup/patient/")
    page.get_by_label("Your name").fill("Brook Browser")
    page.get_by_label("Email").fill("brook@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Date of birth").fill("1984-02-29")
    page.get_by_label("Your time zone").select_option("Europe/London")
    page.get_by_label(re.compile("I agree")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email")

    # The live server runs in this process: its email is in Django's test outbox.
    (message,) = mail.outbox
    link = re.search(r"http\S+/accounts/signup/confirm/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()

    login(page, "brook@example.com", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")

    page.get_by_role("link", name="Sharing").click()
    page.get_by_label("Invitation code from your clinician").fill(invitation.code.lower())
    page.get_by_role("button", name="Share my record").click()
    expect(page.get_by_text("You now share your record with Dr Browser.")).to_be_visible()
    page.screenshot(path=str(shot_dir / "patient-sharing.png"), full_page=True)

    patient = User.objects.get(email="brook@example.com")
    assert CareLink.objects.filter(patient=patient, clinician=clinician, status="active").exists()
    assert Invitation.objects.get(pk=invitation.pk).used_by == patient

    page.get_by_role("button", name="Sign out").click()
    login(page, "dr.browser@example.com", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Brook Browser").first).to_be_visible()
    page.screenshot(path=str(shot_dir / "clinician-dashboard.png"), full_page=True)
