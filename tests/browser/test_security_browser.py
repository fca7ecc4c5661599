"""Lockout, two-step verification and the idle timeout, as a new user meets them in Chromium."""

import base64
import re
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts import mfa
from conftest import PASSWORD, make_clinician, make_patient


def test_a_locked_out_user_is_told_what_happened(
    page, live_server, login, transactional_db, shot_dir
):
    make_patient("locked@example.com", "Lee Locked")
    for _ in range(5):
        login(page, "locked@example.com", "not-my-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please wait before trying again")
    expect(page.get_by_text("administrator")).to_be_visible()
    login(page, "locked@example.com", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Please wait before trying again")
    page.screenshot(path=str(shot_dir / "locked-out.png"), full_page=True)


def test_a_clinician_enrols_an_authenticator_and_verifies_next_time(
    page, live_server, login, transactional_db, settings, shot_dir
):
    settings.MFA_REQUIRED = True
    clinician = make_clinician("dr.mfa@example.com", "Dr Mfa")
    login(page, clinician.email, PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    page.screenshot(path=str(shot_dir / "mfa-enrol.png"), full_page=True)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Turn on two-step verification").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your code")

    page.get_by_role("button", name="Sign out").click()
    login(page, clinician.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    device = mfa.confirmed_totp_device(clinician)
    page.get_by_label("Code", exact=True).fill(mfa.totp_code_now(device, offset_steps=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Enter your code")
    assert "/clinician/" in page.url


def test_an_idle_clinician_is_signed_out_with_an_explanation(
    page, live_server, login, transactional_db
):
    clinician = make_clinician("dr.idle@example.com", "Dr Idle")
    login(page, clinician.email, PASSWORD)
    page.goto(f"{live_server.url}/clinician/invitations/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        page.goto(f"{live_server.url}/clinician/invitations/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_text("30 minutes without activity")).to_be_visible()
