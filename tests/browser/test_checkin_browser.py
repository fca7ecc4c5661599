"""The demo patient checks in with the keyboard only (body map included) and sees the history."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD, seed_accounts
from journal import demo as journal_demo
from journal.models import DailyEntry
from journal.selectors import patient_today

MAX_TABS = 250


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id || "",
                name: el.getAttribute("name") || "",
                value: el.value || "",
                label: el.getAttribute("aria-label") || "",
                text: (el.textContent || "").trim(),
            };
        }"""
    )


def tab_to(page, match) -> dict:
    """Press Tab until the focused element satisfies `match` (a function of focused())."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if match(element):
            return element
    raise AssertionError("Could not reach the element with the Tab key.")


def choose_scale(page, name: str, value: int) -> None:
    element = tab_to(page, lambda el: el["name"] == name)
    assert element["value"] == "0"  # Tab lands on the first option of an empty group
    page.keyboard.press("Space")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f'input[name="{name}"][value="{value}"]')).to_be_checked()


def test_demo_patient_checks_in_by_keyboard(page, live_server, login, transactional_db, shot_dir):
    users = seed_accounts()
    patient = users["patient"]
    journal_demo.seed(users=users, today=timezone.localdate())
    today = patient_today(patient)
    assert not DailyEntry.objects.filter(patient=patient, date=today).exists()
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )

    login(page, patient.email, DEMO_PASSWORD)
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Check in now")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily check-in")

    for name, value in (
        ("pain", 6),
        ("fatigue", 8),
        ("sleep_quality", 3),
        ("cognition", 7),
        ("mood", 4),
    ):
        choose_scale(page, name, value)

    # The body map and symptoms are folded behind one disclosure: Enter opens it.
    tab_to(page, lambda el: el["tag"] == "summary")
    page.keyboard.press("Enter")
    expect(page.locator("details[data-optional-sections]")).to_have_attribute("open", "")
    # The body map: each region is a focusable checkbox toggled with Space.
    for label in ("Neck", "Left hip or buttock", "Right shoulder"):
        tab_to(page, lambda el, label=label: el["label"] == label)
        page.keyboard.press("Space")
        expect(page.get_by_role("checkbox", name=label, exact=True).first).to_have_attribute(
            "aria-checked", "true"
        )
    expect(page.get_by_text("3 of 19 places chosen.")).to_be_visible()
    page.screenshot(path=str(shot_dir / "checkin-body-map.png"), full_page=True)

    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save check-in")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("Your check-in for today is saved"))).to_have_count(2)

    entry = DailyEntry.objects.get(patient=patient, date=today)
    assert (entry.pain, entry.fatigue, entry.sleep_quality, entry.cognition, entry.mood) == (
        6,
        8,
        3,
        7,
        4,
    )
    assert entry.pain_regions == ["shoulder_girdle_right", "hip_left", "neck"]
    assert entry.self_harm_thoughts is False

    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "See your history and charts")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(page.locator("#table-daily tbody tr").first).to_contain_text(today.strftime("%a"))
    expect(page.locator("#table-phq9 tbody tr")).to_have_count(3)  # PHQ-9s in the last 30 days
    page.screenshot(path=str(shot_dir / "history.png"), full_page=True)
    assert csp_violations == []


def test_checkin_fits_a_small_phone(page, live_server, login, transactional_db, shot_dir):
    users = seed_accounts()
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, users["patient"].email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patient/checkin/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    page.locator("details[data-optional-sections] > summary").click()  # the folded sections
    # Scale buttons and list checkboxes: at least 44px tall. Body-map regions: at least 24px
    # (WCAG 2.5.8), with the 44px checkbox list as the alternative.
    pills = page.eval_on_selector_all(
        ".scale-option .pill, .check-list label",
        "els => els.map(el => el.getBoundingClientRect().height)",
    )
    assert min(pills) >= 44
    regions = page.eval_on_selector_all(
        ".bm-region",
        "els => els.map(el => { const r = el.getBoundingClientRect();"
        " return Math.min(r.height, r.width); })",
    )
    assert len(regions) == 19 and min(regions) >= 24, regions
    page.screenshot(path=str(shot_dir / "checkin-360.png"), full_page=True)
