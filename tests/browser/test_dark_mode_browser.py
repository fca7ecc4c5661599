"""Dark mode (prefers-color-scheme: dark) keeps axe clean, colour contrast included (issue 15).

The browser is asked for the dark scheme (Playwright's emulate_media); the main patient and
clinician pages, and the branded 404 page, are checked by axe-core at 360 px and 1280 px. The test
also checks that the dark theme is really in use (a dark page background), that the charts'
canvas colours follow it, and that the keyboard focus outline stays visible.
"""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User

WIDTHS = [360, 1280]
PUBLIC_PAGES = ["/accounts/login/", "/accounts/signup/patient/", "/no-such-page/"]
PATIENT_PAGES = [
    "/patient/",
    "/patient/checkin/",
    "/patient/history/",
    "/patient/medications/",
    "/patient/sharing/",
    "/patient/questionnaires/phq9/",
]
CLINICIAN_PAGES = [
    "/clinician/",
    "/clinician/patients/{patient_id}/",
    "/clinician/alerts/",
]
NOT_FOUND = "/no-such-page/"

BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
# The focus ring of the first link Tab reaches after the skip link.
FOCUS_OUTLINE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, style: style.outlineStyle, width: style.outlineWidth,
          colour: style.outlineColor};
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    return {
        "patient": User.objects.get(email="patient@example.org"),
        "clinician": User.objects.get(email="clinician@example.org"),
    }


BODY_MAP = """() => {
  const region = document.querySelector('.bm-region');
  const card = region.closest('.card') || document.body;
  return {stroke: getComputedStyle(region).stroke, fill: getComputedStyle(region).fill,
          card: getComputedStyle(card).backgroundColor};
}"""


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def luminance(rgb: str) -> float:
    """Relative luminance of a CSS `rgb(r, g, b)` string (WCAG 2 formula)."""
    parts = [int(p) for p in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def audit_dark(page, base: str, urls: list[str], allowed_status: dict[str, int]) -> dict:
    axe = Axe()
    problems: dict = {}
    for url in urls:
        response = page.goto(f"{base}{url}")
        expected = allowed_status.get(url)
        if expected is None:
            assert response.status < 400, f"{url}: {response.status}"
        else:
            assert response.status == expected, f"{url}: {response.status}"
        page.wait_for_load_state("networkidle")
        background = page.evaluate(BACKGROUND)
        assert luminance(background) < 0.05, f"{url}: not dark ({background})"
        violations = axe.run(page).response["violations"]
        found = [
            (
                v["id"],
                [node["target"] for node in v["nodes"]][:3],
                (v["nodes"][0].get("failureSummary") or "")[:300] if v["nodes"] else "",
            )
            for v in violations
            if v["id"] == "color-contrast" or v["impact"] in ("serious", "critical")
        ]
        if found:
            problems[url] = found
    return problems


def assert_focus_ring_visible(page) -> None:
    page.locator("body").focus()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand link
    ring = page.evaluate(FOCUS_OUTLINE)
    assert ring["style"] == "solid" and ring["width"] == "3px", ring
    # The dark theme's focus colour (#ffc233): bright against the dark header and page.
    assert ring["colour"] == "rgb(255, 194, 51)", ring


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_in_dark_mode_pass_axe(page, live_server, transactional_db, width):
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": width, "height": 900})
    urls = PUBLIC_PAGES
    problems = audit_dark(page, live_server.url, urls, {NOT_FOUND: 404})
    assert problems == {}, json.dumps(problems, indent=1)


@pytest.mark.parametrize("width", WIDTHS)
def test_patient_pages_in_dark_mode_pass_axe(page, live_server, login, demo, width):
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, demo["patient"].email, DEMO_PASSWORD)
    urls = [*PATIENT_PAGES, NOT_FOUND]
    problems = audit_dark(page, live_server.url, urls, {NOT_FOUND: 404})
    assert problems == {}, json.dumps(problems, indent=1)
    assert_focus_ring_visible(page)
    # The body map: each region's outline stands out from the dark card (WCAG 1.4.11, 3:1).
    page.goto(f"{live_server.url}/patient/checkin/")
    body_map = page.evaluate(BODY_MAP)
    assert contrast(body_map["stroke"], body_map["card"]) >= 3, body_map


@pytest.mark.parametrize("width", WIDTHS)
def test_clinician_pages_in_dark_mode_pass_axe(page, live_server, login, demo, width):
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    urls = [u.format(patient_id=demo["patient"].pk) for u in CLINICIAN_PAGES]
    problems = audit_dark(page, live_server.url, urls, {})
    assert problems == {}, json.dumps(problems, indent=1)


def test_charts_read_their_colours_from_the_dark_theme(page, live_server, login, demo):
    """Chart.js draws on a canvas (axe cannot see it): its tick colour comes from the CSS."""
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clinician/patients/{demo['patient'].pk}/")
    page.wait_for_load_state("networkidle")
    colours = page.evaluate(
        """() => Object.values(window.Chart.instances).map(chart => {
             const y = chart.options.scales.y || {};
             return (y.ticks && y.ticks.color) || null;
           })"""
    )
    assert colours, "no chart drawn"
    # --chart-tick / --chart-ink in dark mode: light colours on the dark card.
    assert set(colours) <= {"#b7c4c1", "#e4ecea"}, colours
