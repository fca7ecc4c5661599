"""The sign-up forms preselect the browser's own time zone (a static script, no inline JS)."""

from playwright.sync_api import expect

from accounts.models import ClinicianProfile
from conftest import PASSWORD


def test_clinician_sign_up_preselects_the_browsers_zone(browser, live_server, transactional_db):
    context = browser.new_context(timezone_id="America/Los_Angeles")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/signup/clinician/")
        zone = page.get_by_label("Your time zone")
        expect(zone).to_have_value("America/Los_Angeles")

        # Sent back with an error (no licence number): the person's own choice stays.
        zone.select_option("Europe/Dublin")
        page.get_by_label("Your name").fill("Dr Zone")
        page.get_by_label("Email").fill("dr.zone@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Practice or organisation").fill("Clinic")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_label("Licence or registration number")).to_be_visible()
        expect(page.get_by_label("Your time zone")).to_have_value("Europe/Dublin")

        page.get_by_label("Licence or registration number").fill("L-1")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email")
        assert ClinicianProfile.objects.get(user__email="dr.zone@example.com").timezone == (
            "Europe/Dublin"
        )
    finally:
        context.close()


def test_patient_sign_up_preselects_the_browsers_zone(browser, live_server, transactional_db):
    context = browser.new_context(timezone_id="Pacific/Kiritimati")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/signup/patient/")
        expect(page.get_by_label("Your time zone")).to_have_value("Pacific/Kiritimati")
    finally:
        context.close()
