from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PatientProfile
from clinic.models import PatientTriage
from clinic.services import refresh_triage
from clinic.tests import factories as f
from journal.models import DailyEntry


@pytest.fixture
def today():
    return timezone.localdate()


def test_triage_rows_refresh_when_data_changes_or_the_day_turns(cleo, pat, today):
    f.entries(pat, today, [7] * 28 + [7] * 7)
    assert refresh_triage(cleo, today=today) == 1
    assert refresh_triage(cleo, today=today) == 0  # fresh
    triage = PatientTriage.objects.get(patient=pat)
    assert (triage.as_of, triage.worsening, triage.mood_7) == (today, 0.0, 7.0)

    # A write through the journal services stamps data_changed_at (accounts.changes).
    DailyEntry.objects.filter(patient=pat, date__gt=today - timedelta(days=7)).update(mood=1)
    PatientProfile.objects.filter(user=pat).update(data_changed_at=timezone.now())
    assert refresh_triage(cleo, today=today) == 1
    assert PatientTriage.objects.get(patient=pat).worsening == pytest.approx(6.0)

    assert refresh_triage(cleo, today=today + timedelta(days=1)) == 1  # new day


@pytest.mark.parametrize(
    ("days_ago", "mood_7", "mood_28"),
    [
        (0, 4.0, None),  # T: the 7-day window
        (6, 4.0, None),  # T-6: its first day
        (7, None, 4.0),  # T-7: the baseline's last day
        (34, None, 4.0),  # T-34: the baseline's first day
        (35, None, None),  # T-35: neither
    ],
)
def test_triage_means_use_the_m5_windows(cleo, pat, today, days_ago, mood_7, mood_28):
    """The dashboard's 7-day means and 28-day baseline are rule M5's windows (one home:
    alerts.rules.mood.m5_windows), so a row and a mood alert never disagree on the days."""
    f.entries(pat, today, [4], [6], start_offset=days_ago)
    assert refresh_triage(cleo, today=today) == 1
    triage = PatientTriage.objects.get(patient=pat)
    assert (triage.mood_7, triage.mood_28) == (mood_7, mood_28)
    assert (triage.pain_7 is None, triage.pain_28 is None) == (mood_7 is None, mood_28 is None)


@pytest.mark.parametrize(
    ("persona", "refreshed"),
    [("cleo", ["pat"]), ("uma", []), ("rex", []), ("ada", []), ("sam", ["sam"]), ("pat", ["pat"])],
)
def test_it_refreshes_only_rows_the_access_gate_shows(personas, persona, refreshed, today):
    f.entries(personas["pat"], today, [5])
    assert refresh_triage(personas[persona], today=today) == len(refreshed)
    rows = PatientTriage.objects.values_list("patient__email", flat=True)
    assert sorted(rows) == [f"{name}@example.com" for name in refreshed]
