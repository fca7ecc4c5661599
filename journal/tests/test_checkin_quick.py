"""The 30-second check-in (issue 15): "same as yesterday", folded optional sections, the signals
the browser draft relies on. The draft itself is tested in a browser: tests/browser/."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from conftest import make_patient
from journal.models import DailyEntry
from journal.tests.helpers import VALID_ENTRY

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York, Pat's zone
TODAY = date(2026, 3, 10)
URL = "/patient/checkin/"

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def entry(patient, day, **changes):
    values = {
        **VALID_ENTRY,
        "pain_regions": ["neck"],
        "serotonin_symptoms": ["sweating"],
        "self_harm_thoughts": True,
        "notes": "CANARY-NOTE from that day",
        **changes,
    }
    return DailyEntry.objects.create(patient=patient, date=day, **values)


def checked(html: str, name: str) -> list[str]:
    """The values of `name` the page shows ticked."""
    return [
        value
        for tag in re.findall(r"<input\b[^>]*>", html)
        if f'name="{name}"' in tag and " checked" in tag
        for value in re.findall(r'value="([^"]*)"', tag)
    ]


def scales(html: str) -> dict[str, list[str]]:
    return {name: checked(html, name) for name in VALID_ENTRY}


def details_open(html: str) -> bool:
    tag = re.search(r"<details\b[^>]*data-optional-sections[^>]*>", html)
    assert tag, "the optional sections are folded into one <details>"
    return " open" in tag.group(0)


def form_data(**changes):
    data = {"date": TODAY.isoformat(), **{k: str(v) for k, v in VALID_ENTRY.items()}}
    data.update(changes)
    return data


# --- "Same as yesterday" -----------------------------------------------------------------------


def test_same_as_yesterday_button_links_to_the_prefill(pat, client_for):
    entry(pat, TODAY - timedelta(days=1))
    html = client_for(pat).get(URL).content.decode()
    assert "Same as yesterday" in html
    assert 'href="/patient/checkin/?date=2026-03-10&amp;prefill=last"' in html
    assert scales(html) == {name: [] for name in VALID_ENTRY}  # nothing chosen before the tap


def test_prefill_copies_the_five_scales_of_the_last_entry_only(pat, client_for):
    entry(pat, TODAY - timedelta(days=3), pain=1, fatigue=1, sleep_quality=1, cognition=1, mood=1)
    entry(pat, TODAY - timedelta(days=1), pain=2, fatigue=9, sleep_quality=10, cognition=0, mood=5)
    response = client_for(pat).get(URL, {"prefill": "last"})
    html = response.content.decode()
    assert response.status_code == 200
    assert scales(html) == {
        "pain": ["2"],
        "fatigue": ["9"],
        "sleep_quality": ["10"],
        "cognition": ["0"],
        "mood": ["5"],
    }
    # Never the self-harm answer, the notes, the body map or the symptoms of another day.
    assert checked(html, "self_harm_thoughts") == []
    assert "CANARY-NOTE" not in html
    assert checked(html, "pain_regions") == []
    assert checked(html, "serotonin_symptoms") == []
    assert "Filled in from your check-in of 9 March" in html
    assert not details_open(html)
    # A browser draft must not overwrite what the patient just asked for.
    assert "data-draft-restorable" not in html
    assert DailyEntry.objects.filter(patient=pat).count() == 2  # nothing saved by a GET


def test_prefill_takes_the_last_entry_before_the_day_being_entered(pat, client_for):
    entry(pat, TODAY - timedelta(days=5), pain=3)
    entry(pat, TODAY, pain=8)  # after the day asked for: not "last" for it
    html = client_for(pat).get(URL, {"prefill": "last", "date": "2026-03-07"}).content.decode()
    assert checked(html, "pain") == ["3"]
    html = client_for(pat).get(URL, {"date": "2026-03-07"}).content.decode()
    assert "Same as last time (5 March)" in html


def test_no_earlier_entry_no_button_and_prefill_is_ignored(pat, sam, client_for):
    entry(sam, TODAY - timedelta(days=1), pain=9)  # someone else's check-in is never used
    client = client_for(pat)
    html = client.get(URL).content.decode()
    assert "data-same-as-last" not in html
    html = client.get(URL, {"prefill": "last"}).content.decode()
    assert scales(html) == {name: [] for name in VALID_ENTRY}
    assert "Filled in from" not in html


def test_editing_a_day_shows_its_own_values_not_the_prefill(pat, client_for):
    entry(pat, TODAY - timedelta(days=1), pain=2)
    entry(pat, TODAY, pain=7, self_harm_thoughts=False, notes="today's own note")
    html = client_for(pat).get(URL, {"prefill": "last"}).content.decode()
    assert checked(html, "pain") == ["7"]
    assert "today&#x27;s own note" in html
    assert "data-same-as-last" not in html
    assert "Filled in from" not in html


def test_saving_a_prefilled_form_stores_todays_answers(pat, client_for):
    entry(pat, TODAY - timedelta(days=1))
    client = client_for(pat)
    response = client.post(URL, form_data())
    assert response.status_code == 302
    saved = DailyEntry.objects.get(patient=pat, date=TODAY)
    assert saved.self_harm_thoughts is False
    assert saved.notes == ""
    assert saved.pain_regions == []


# --- Body map and symptoms folded behind one tap -------------------------------------------------


def test_optional_sections_start_folded_on_a_new_check_in(pat, client_for):
    assert not details_open(client_for(pat).get(URL).content.decode())


@pytest.mark.parametrize(
    "changes",
    [
        {"pain_regions": ["neck"], "serotonin_symptoms": []},
        {"pain_regions": [], "serotonin_symptoms": ["sweating"]},
    ],
)
def test_optional_sections_open_when_editing_an_entry_that_has_them(pat, client_for, changes):
    entry(pat, TODAY, **changes)
    assert details_open(client_for(pat).get(URL).content.decode())


def test_optional_sections_stay_folded_when_editing_an_entry_without_them(pat, client_for):
    entry(pat, TODAY, pain_regions=[], serotonin_symptoms=[])
    assert not details_open(client_for(pat).get(URL).content.decode())


@pytest.mark.parametrize(
    "field, value", [("pain_regions", "elbow_of_nowhere"), ("serotonin_symptoms", "not-a-code")]
)
def test_optional_sections_open_on_an_error_in_them(pat, client_for, field, value):
    response = client_for(pat).post(URL, form_data(**{field: [value]}))
    assert response.status_code == 400
    html = response.content.decode()
    assert details_open(html)
    assert "data-draft-restorable" not in html  # the posted answers are on the page already
    assert not DailyEntry.objects.filter(patient=pat).exists()


def test_optional_sections_open_on_a_posted_form_that_holds_values(pat, client_for):
    response = client_for(pat).post(URL, form_data(pain="", pain_regions=["neck"]))
    assert response.status_code == 400
    assert details_open(response.content.decode())


def test_optional_sections_stay_folded_on_an_error_elsewhere(pat, client_for):
    response = client_for(pat).post(URL, form_data(pain=""))
    assert response.status_code == 400
    assert not details_open(response.content.decode())


# --- What the browser draft relies on -------------------------------------------------------------


def test_the_form_names_its_draft_and_owner(pat, client_for):
    html = client_for(pat).get(URL).content.decode()
    assert re.search(
        rf'<form[^>]*data-draft="checkin" data-draft-owner="{pat.pk}" data-draft-restorable', html
    )
    assert "We restored what you had entered." in html  # in a <template> for the script
    assert "/static/journal/checkin-draft.js" in html
    assert "/static/portal/drafts.js" in html


def test_a_saved_check_in_tells_the_next_page_to_clear_the_draft(pat, client_for):
    client = client_for(pat)
    response = client.post(URL, form_data(), follow=True)
    html = response.content.decode()
    assert 'data-clear-draft="checkin"' in html
    assert "Your check-in for today is saved" in html
    # Only the check-in save does: another page with a message does not.
    assert 'data-clear-draft="checkin"' not in client.get("/patient/").content.decode()


def test_a_crisis_page_after_a_check_in_also_clears_the_draft(pat, client_for):
    response = client_for(pat).post(URL, form_data(self_harm_thoughts="on"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-crisis" in html  # crisis resources on the very next page
    assert 'data-clear-draft="checkin"' in html


def test_the_sign_out_form_is_marked_for_the_draft_script(pat, client_for):
    html = client_for(pat).get("/patient/").content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]*data-sign-out', html)


@pytest.mark.parametrize(
    "tz, local_today",
    [
        ("Pacific/Kiritimati", date(2026, 3, 11)),  # UTC+14: already tomorrow
        ("Pacific/Pago_Pago", date(2026, 3, 10)),  # UTC-11: early morning
        ("America/New_York", date(2026, 3, 10)),
    ],
)
def test_yesterday_is_the_patients_own_yesterday(client_for, tz, local_today):
    patient = make_patient("zone@example.com", "Zoe", tz=tz)
    entry(patient, local_today - timedelta(days=1), pain=4)
    html = client_for(patient).get(URL).content.decode()
    assert "Same as yesterday" in html
    assert f"date={local_today.isoformat()}&amp;prefill=last" in html
    html = client_for(patient).get(URL, {"prefill": "last"}).content.decode()
    assert checked(html, "pain") == ["4"]


def test_a_back_filled_day_is_named_in_the_saved_message(pat, client_for):
    response = client_for(pat).post(URL, form_data(date="2026-03-08"), follow=True)
    html = response.content.decode()
    assert "Thank you. Your check-in for 8 March is saved." in html
    assert 'data-clear-draft="checkin"' in html
