"""The demo clinician triages: dashboard, top patient, acknowledge and resolve an alert."""

import shutil
from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from alerts.models import Alert
from clinic.tests import factories as f

SHOTS = Path("/tmp/shots")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_clinician_follows_an_alert_to_resolution(
    page, live_server, login, transactional_db, shot_dir
):
    call_command("seed_demo", verbosity=0)
    from accounts.models import User

    jordan = User.objects.get(email="patient@example.org")
    if not Alert.objects.filter(status="open").exists():  # demo alerts come from the engine
        f.alert(jordan, "critical", kind="suicidal_ideation", title="PHQ-9 item 9 answered")

    login(page, "clinician@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clinician/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients")
    expect(page.get_by_role("link", name="Jordan Lee")).to_be_visible()
    dashboard = shot_dir / "clinician-triage-dashboard.png"
    page.screenshot(path=str(dashboard), full_page=True)
    _keep(dashboard)

    top = page.locator("a.patient-link").first
    top_name = top.inner_text()
    top.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(top_name)
    expect(page.get_by_role("heading", name="Mood and medicines")).to_be_visible()
    record = shot_dir / "clinician-patient-record.png"
    page.screenshot(path=str(record), full_page=True)
    _keep(record)

    patient = User.objects.get(full_name=top_name)
    alert = Alert.objects.filter(patient=patient, status="open").order_by("-severity_rank").first()
    card = page.locator(f"#alert-{alert.pk}")
    url_before = page.url
    card.get_by_role("button", name="Acknowledge").click()
    expect(card.locator(".status")).to_have_text("Acknowledged")
    card.get_by_label("Note").fill("Phoned the patient; safety plan reviewed.")
    card.get_by_role("button", name="Resolve with note").click()
    expect(card.locator(".resolved-note")).to_contain_text("Resolved by Dr Casey Morgan")
    assert page.url == url_before  # htmx: never left the page

    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert alert.events.filter(kind="resolved", note__startswith="Phoned").exists()

    page.goto(f"{live_server.url}/clinician/alerts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alert queue")
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/clinician/")
    narrow = shot_dir / "clinician-dashboard-360.png"
    page.screenshot(path=str(narrow), full_page=True)
    _keep(narrow)
