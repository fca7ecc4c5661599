"""The account page's time-zone helpers (static JS): the filter box shortens the grouped list,
and "Use this device's time zone" picks the zone the browser reports."""

import pytest

from accounts.models import PatientProfile
from conftest import PASSWORD, make_patient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "timezone_id": "Pacific/Kiritimati",
        "viewport": {"width": 360, "height": 800},
    }


def test_filter_and_detect_pick_a_zone_that_is_saved(page, live_server, login):
    make_patient("tz@example.com", "Tia Zone", tz="America/New_York")
    login(page, "tz@example.com", PASSWORD)
    page.goto(f"{live_server.url}/account/#timezone")

    page.get_by_label("Find your city or region").fill("sydney")
    visible = page.eval_on_selector_all(
        "#id_timezone option", "options => options.filter(o => !o.hidden).map(o => o.value)"
    )
    assert visible == ["Australia/Sydney"]
    assert page.get_by_role("status").filter(has_text="1 time zone matches.").count() == 1

    detect = page.get_by_role("button", name="Use this device's time zone: Kiritimati")
    detect.click()
    assert page.eval_on_selector("#id_timezone", "s => s.value") == "Pacific/Kiritimati"
    assert page.eval_on_selector(
        "html", "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    page.get_by_role("button", name="Save time zone").click()
    page.wait_for_load_state()
    assert PatientProfile.objects.get(user__email="tz@example.com").timezone == "Pacific/Kiritimati"
