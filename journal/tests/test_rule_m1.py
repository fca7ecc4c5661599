"""Rule M1 in one table: the pure predicate (`phq9.m1_applies`) and the patient's crisis notice.

The clinician's alert uses the same table (alerts/tests/test_rules_mood.py), so changing the
threshold is one edit in journal/instruments/phq9.py and these cases.
"""

from datetime import UTC, date, datetime

import pytest
import time_machine

from journal.instruments import phq9
from journal.services import daily_entry_save, questionnaire_submit
from journal.tests.helpers import VALID_ENTRY, phq9_with

# (item 9 of a PHQ-9, or None when there is no response; the check-in's self-harm tick; fires)
M1_CASES = [
    (None, False, False),
    (0, False, False),
    (1, False, True),  # the threshold: any answer above "not at all"
    (2, False, True),
    (3, False, True),
    (None, True, True),
    (0, True, True),
    (3, True, True),
]


@pytest.mark.parametrize(("item9", "ticked", "fires"), M1_CASES)
def test_m1_applies(item9, ticked, fires):
    assert phq9.m1_applies(item9=item9, self_harm_thoughts=ticked) is fires


def test_the_threshold_is_the_lowest_answer_above_not_at_all():
    answers = range(phq9.ITEM_MIN, phq9.ITEM_MAX + 1)
    assert [phq9.m1_applies(item9=value) for value in answers] == [False, True, True, True]


@pytest.mark.django_db
@pytest.mark.parametrize(("item9", "ticked", "fires"), M1_CASES)
def test_crisis_notice_follows_the_table(pat, item9, ticked, fires):
    with time_machine.travel(datetime(2026, 3, 10, 15, 0, tzinfo=UTC), tick=False):
        entry = daily_entry_save(
            patient=pat,
            entry_date=date(2026, 3, 10),
            values={**VALID_ENTRY, "self_harm_thoughts": ticked},
        )
        crisis = entry.crisis
        if item9 is not None:
            answers = phq9_with(item9, item9=item9)
            crisis |= questionnaire_submit(patient=pat, instrument="phq9", answers=answers).crisis
    assert crisis is fires
