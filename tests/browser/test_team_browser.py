"""A care team in the browser (issue 16): the team admin invites a triage nurse from /team/, the
nurse joins through the emailed link, sees the team's patient, takes an alert on and
acknowledges it; the admin removes her and her next request to the record is a 404."""

import re

from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from clinic.tests import factories as f
from conftest import PASSWORD, make_clinician

NURSE2 = "nurse2@example.org"


def test_a_team_admin_invites_a_nurse_who_acknowledges_then_is_removed(
    browser, live_server, login, transactional_db
):
    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    jordan = User.objects.get(email="patient@example.org")
    alert = f.alert(jordan, "critical", kind="suicidal_ideation", title="Zq team browser alert")
    nurse = make_clinician(NURSE2, "Nora Second")  # a verified clinician account

    # The team admin (the demo clinician) invites her as triage from the team page.
    admin = browser.new_page()
    login(admin, "clinician@example.org", DEMO_PASSWORD)
    admin.goto(f"{live_server.url}/team/")
    expect(admin.get_by_role("heading", name="Invite someone to the team")).to_be_visible()
    admin.get_by_label("Email address").fill(NURSE2)
    admin.get_by_label("Role").select_option("triage")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {NURSE2}.")).to_be_visible()
    team_url = admin.url

    sent = [m for m in mail.outbox if NURSE2 in m.to]
    assert len(sent) == 1
    path = re.search(r"/team/join/[^/\s]+/", sent[0].body).group(0)

    # The nurse signs in (her own browser), opens the link and joins.
    page = browser.new_page()
    login(page, NURSE2, PASSWORD)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("button", name="Join the team").click()
    expect(page.get_by_text("You joined Demo Pain Clinic.")).to_be_visible()

    # She sees the team's patient on the dashboard, and no export anywhere.
    page.goto(f"{live_server.url}/clinician/")
    expect(page.get_by_role("link", name="Jordan Lee")).to_be_visible()
    page.get_by_label("Team patients").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Jordan Lee")).to_be_visible()

    # In the queue she takes the alert on, then acknowledges it, without leaving the page.
    page.goto(f"{live_server.url}/clinician/alerts/?assigned=unassigned")
    card = page.locator(f"#alert-{alert.pk}")
    expect(card.get_by_text("Unassigned")).to_be_visible()
    card.get_by_role("button", name="I'll take it").click()
    expect(card.get_by_text("Taken by you")).to_be_visible()
    expect(card.get_by_text("Nora Second took this on")).to_be_visible()
    card.get_by_role("button", name="Acknowledge").click()
    expect(card.locator(".status")).to_have_text("Acknowledged")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert alert.acknowledged_by == nurse
    assert alert.assigned_to == nurse

    # The admin sees who took it, then removes her from the team.
    admin.goto(f"{live_server.url}/clinician/alerts/?status=acknowledged")
    expect(admin.locator(f"#alert-{alert.pk}").get_by_text("Taken by Nora Second")).to_be_visible()
    admin.goto(team_url)
    admin.get_by_role("button", name="Remove Nora Second (Triage)").click()
    expect(admin.get_by_text("Member removed.")).to_be_visible()

    # Her next request to the patient's record is a 404; her queue no longer shows the alert.
    response = page.goto(f"{live_server.url}/clinician/patients/{jordan.pk}/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/clinician/alerts/")
    expect(page.locator(f"#alert-{alert.pk}")).to_have_count(0)
    admin.close()
    page.close()
