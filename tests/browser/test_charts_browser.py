"""Every per-measure chart and the medication timeline at 360 px and 1280 px, measured as drawn:
tick labels of at least 11 px, the last x label inside its canvas, no horizontal page scroll,
the show/hide toggles work with the keyboard, and axe finds nothing serious.

The demo patient gets a 14-day gap in their check-ins, so the gap's day-number x axis and the
nulls that break the line are exercised with real data.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from core.timezones import patient_today
from journal.models import DailyEntry

WIDTHS = (360, 1280)

# Waits until every chart canvas of the page has a Chart.js instance.
CANVASES = (
    "canvas[data-measure], canvas[data-timeline], canvas[data-totals], #chart-phq9, #chart-fiqr,"
    " #chart-wpi"
)
CHARTS_DRAWN = """() => {
  const canvases = Array.from(document.querySelectorAll(CANVASES));
  return canvases.length > 0 && canvases.every(c => window.Chart && window.Chart.getChart(c));
}""".replace("CANVASES", repr(CANVASES))

# For each drawn chart: the font sizes of its tick labels as Chart.js laid them out, and the
# horizontal extent of the first and last x labels against the canvas width.
MEASURE = """() => Array.from(document.querySelectorAll(CANVASES))
  .filter(c => c.offsetParent !== null)
  .map(canvas => {
    const chart = window.Chart.getChart(canvas);
    const ctx = chart.ctx;
    const extent = item => {
      ctx.save();
      ctx.font = item.font.string;
      const width = ctx.measureText(String(item.label)).width;
      ctx.restore();
      const x = item.options.translation[0];
      const align = item.options.textAlign;
      const left = align === 'center' ? x - width / 2 : align === 'right' ? x - width : x;
      return {label: String(item.label), left: left, right: left + width};
    };
    const sizes = [];
    for (const id of ['x', 'y']) {
      for (const item of chart.scales[id].getLabelItems()) { sizes.push(item.font.size); }
    }
    const xs = chart.scales.x.getLabelItems();
    return {
      name: canvas.getAttribute('data-measure') || canvas.getAttribute('data-name') || canvas.id
        || 'timeline',
      width: chart.width,
      sizes: sizes,
      ticks: xs.length,
      first: extent(xs[0]),
      last: extent(xs[xs.length - 1]),
    };
  })""".replace("CANVASES", repr(CANVASES))


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)
    patient = User.objects.get(email="patient@example.org")
    today = patient_today(patient)
    # A 14-day gap, 30 to 17 days ago: on a day axis it must look 14 days wide.
    DailyEntry.objects.filter(
        patient=patient, date__range=(today - timedelta(days=30), today - timedelta(days=17))
    ).delete()
    return {"patient": patient, "clinician": User.objects.get(email="clinician@example.org")}


def _check_page(page, url, width):
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response.status == 200
    page.wait_for_function(CHARTS_DRAWN)
    charts = page.evaluate(MEASURE)
    assert {c["name"] for c in charts} >= {"pain", "fatigue", "sleep_quality", "cognition", "mood"}
    for chart in charts:
        assert min(chart["sizes"]) >= 11, chart
        assert chart["first"]["left"] >= 0, chart
        assert chart["last"]["right"] <= chart["width"] + 0.5, chart  # the last label not clipped
        assert chart["ticks"] >= 2, chart
        if width == 360:
            assert chart["ticks"] <= 4, chart  # fewer ticks on a phone
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at {width}px"
    return charts


def _toggle_with_keyboard(page, name):
    toggle = page.get_by_role("checkbox", name=name, exact=True)
    figure = page.locator(f"#mchart-{toggle.get_attribute('data-chart-toggle')}")
    expect(figure).to_be_visible()
    toggle.focus()
    page.keyboard.press("Space")
    expect(toggle).not_to_be_checked()
    expect(figure).to_be_hidden()
    page.keyboard.press("Space")
    expect(figure).to_be_visible()


def _axe_serious(page):
    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_patient_history_charts_read_at_any_width(page, live_server, login, demo, width, shot_dir):
    login(page, demo["patient"].email, DEMO_PASSWORD)
    for days in (30, 365):
        _check_page(page, f"{live_server.url}/patient/history/?days={days}", width)
        data = page.evaluate(
            "() => JSON.parse(document.getElementById('measure-charts-data').textContent)"
        )
        assert data["mode"] == ("daily" if days == 30 else "weekly")
        if days == 30:
            pain = next(c for c in data["charts"] if c["key"] == "pain")["points"]
            assert any(p["y"] is None for p in pain)  # the gap is nulls, drawn as a break
        page.screenshot(path=str(shot_dir / f"history-{days}d-{width}.png"), full_page=True)
    _toggle_with_keyboard(page, "Tiredness")
    assert _axe_serious(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_clinician_record_charts_read_at_any_width(page, live_server, login, demo, width, shot_dir):
    login(page, demo["clinician"].email, DEMO_PASSWORD)
    base = f"{live_server.url}/clinician/patients/{demo['patient'].pk}/"
    for query in ("", "?days=365"):
        charts = _check_page(page, base + query, width)
        names = {c["name"] for c in charts}
        assert "timeline" in names and "phq9" in names  # the demo patient has both
        page.screenshot(
            path=str(shot_dir / f"record{query.replace('?days=', '-')}-{width}.png"),
            full_page=True,
        )
    _toggle_with_keyboard(page, "Brain fog")
    assert _axe_serious(page) == []


def test_patient_without_check_ins_is_told_what_to_do(page, live_server, login, transactional_db):
    call_command("seed_demo", verbosity=0)
    patient = User.objects.get(email="patient@example.org")
    DailyEntry.objects.filter(patient=patient).delete()
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, patient.email, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patient/history/")
    expect(page.get_by_text("No check-ins in this period yet")).to_be_visible()
    page.get_by_role("link", name="add today's check-in").click()
    expect(page).to_have_url(f"{live_server.url}/patient/checkin/")
