"""The record's check-ins section in a browser: the notes search updates in place (htmx), and
the section fits 360 px without horizontal scrolling."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User

SHOTS = Path("/tmp/shots")


@pytest.mark.parametrize("width", [360, 1280])
def test_notes_search_updates_in_place_and_fits(
    page, live_server, login, transactional_db, shot_dir, width
):
    call_command("seed_demo", verbosity=0)
    jordan = User.objects.get(email="patient@example.org")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "clinician@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clinician/patients/{jordan.pk}/?days=90")
    section = page.locator("section.checkins")
    expect(section.get_by_role("heading", name="Pain regions", exact=True)).to_be_visible()
    expect(section.locator(".heat-figure svg")).to_have_count(2)

    url_before = page.url
    page.get_by_label("Search this patient's notes").fill("walk")
    expect(section.locator(".note-item mark").first).to_have_text("walk", ignore_case=True)
    items = section.locator(".note-item")
    for text in items.all_inner_texts():
        assert "walk" in text.lower()
    assert page.url == url_before  # htmx: the page stayed

    page.get_by_label("Search this patient's notes").fill("zzzz-nothing")
    expect(section.locator(".notes-empty")).to_contain_text("No notes in this period contain")

    overflow = page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not overflow
    shot = shot_dir / f"record-checkins-{width}.png"
    page.get_by_label("Search this patient's notes").fill("walk")
    expect(section.locator(".note-item mark").first).to_be_visible()
    section.screenshot(path=str(shot))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SHOTS / shot.name)
