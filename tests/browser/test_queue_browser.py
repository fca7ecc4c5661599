"""The alert queue in a browser (axe clean, bulk acknowledge, the badge updating live) and the
invitation pages at 360 px without horizontal scrolling."""

import json
import re

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.models import Invitation
from tests.browser.test_a11y_browser import audit_pages

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: document.documentElement.scrollWidth > window.innerWidth + 1, wide};
}"""


def _badge(page) -> int:
    text = page.locator("#alert-badge").inner_text().strip()
    return int(text) if text else 0


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    return {
        "patient": User.objects.get(email="patient@example.org"),
        "clinician": User.objects.get(email="clinician@example.org"),
    }


def test_the_invitation_pages_fit_360px(page, live_server, login, demo):
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clinician/invitations/")
    page.get_by_role("button", name="Create invitation code").click()
    page.wait_for_load_state()
    code = Invitation.objects.filter(clinician=demo["clinician"]).latest("pk").code
    assert code in page.content()

    found = page.evaluate(OVERFLOW)
    assert not found["scroll"] and not found["wide"], found["wide"][:5]

    # The patient's side of the same invitation, signed out.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/invite/{code}/")
    found = page.evaluate(OVERFLOW)
    assert not found["scroll"] and not found["wide"], found["wide"][:5]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_alert_queue_is_accessible_and_filters(page, live_server, login, demo, width, shot_dir):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    urls = ["/clinician/alerts/", "/clinician/alerts/?severity=critical&kind=nonsense"]
    problems = audit_pages(page, live_server.url, urls, {})
    if width != 360:
        problems = {
            url: {k: v for k, v in found.items() if k != "horizontal scrolling at 360px"}
            for url, found in problems.items()
        }
        problems = {url: found for url, found in problems.items() if found}
    assert problems == {}, json.dumps(problems, indent=1)

    page.goto(f"{live_server.url}/clinician/alerts/")
    page.get_by_label("Severity").select_option("critical")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "severity=critical" in page.url
    severities = page.locator(".alert-card .sev").all_inner_texts()
    assert severities and set(severities) == {"Critical"}
    page.screenshot(path=str(shot_dir / f"alert-queue-critical-{width}.png"), full_page=True)


def test_bulk_acknowledge_and_the_badge_follow_each_action(page, live_server, login, demo):
    page.set_viewport_size({"width": 360, "height": 900})
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/clinician/alerts/?status=open")
    page.wait_for_load_state("networkidle")
    before = _badge(page)
    assert before >= 3, "the demo has open alerts"

    # Two ticked, one button: both acknowledged, the badge two lower after the reload.
    boxes = page.locator('input[form="bulk-acknowledge"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Acknowledge selected").click()
    page.wait_for_load_state()
    assert "2 alerts acknowledged." in page.content()
    assert _badge(page) == before - 2

    # One acknowledged with htmx (no reload): the badge follows through the event.
    card = page.locator(".alert-card").filter(has=page.get_by_role("button", name="Acknowledge"))
    card.first.get_by_role("button", name="Acknowledge").click()
    page.wait_for_function(
        "n => { const b = document.querySelector('#alert-badge'); "
        "return (parseInt(b.innerText.trim() || '0', 10)) === n; }",
        arg=before - 3,
    )
    from alerts.selectors import unread_count

    assert unread_count(demo["clinician"]) == before - 3
    assert re.search(r"\d+ unread", page.locator("#alert-badge").inner_html()) or before == 3


PRINT_CHECK = """() => {
  const width = document.documentElement.clientWidth;
  const shown = el => {
    const s = getComputedStyle(el); const b = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && b.width > 0 && b.height > 0;
  };
  const sections = Array.from(document.querySelectorAll('main > section.card')).filter(shown);
  return {
    header: shown(document.querySelector('.site-header')),
    controls: Array.from(document.querySelectorAll('nav, form, button, .button, select, input'))
      .filter(shown).map(el => el.outerHTML.slice(0, 60)),
    clipped: Array.from(document.querySelectorAll('svg, canvas, figure, table'))
      .filter(shown).filter(el => el.getBoundingClientRect().right > width + 1)
      .map(el => el.outerHTML.slice(0, 60)),
    scroll: document.documentElement.scrollWidth > width + 1,
    background: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(document.querySelector('h1')).color,
    breaks: sections.slice(1).map(s => getComputedStyle(s).breakBefore),
    sections: sections.length,
  };
}"""


@pytest.mark.parametrize("url", ["/clinician/patients/{patient}/", "/clinician/alerts/"])
def test_the_record_and_queue_print_black_on_white_without_controls(
    page, live_server, login, demo, url
):
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    page.set_viewport_size({"width": 720, "height": 1000})  # about an A4 page's printable width
    page.goto(live_server.url + url.format(patient=demo["patient"].pk))
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")

    found = page.evaluate(PRINT_CHECK)

    assert found["header"] is False
    assert found["controls"] == []
    assert found["clipped"] == [] and not found["scroll"]
    assert found["background"] in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert found["text"] == "rgb(0, 0, 0)"
    if "patients" in url:
        assert found["sections"] >= 3
        assert set(found["breaks"]) == {"page"}
