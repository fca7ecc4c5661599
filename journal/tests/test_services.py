from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import PatientProfile
from journal.instruments import InstrumentError
from journal.models import DailyEntry, QuestionnaireResponse
from journal.safety import urgent_care_needed
from journal.services import (
    BEFORE_BIRTH_DATE_MESSAGE,
    TOO_OLD_DATE_MESSAGE,
    daily_entry_delete,
    daily_entry_save,
    daily_entry_update,
    questionnaire_submit,
)
from journal.tests.helpers import ACR_VALID, FIQR_VALID, VALID_ENTRY, phq9_with
from tests.builders import course

# 03:00 UTC on 10 March is still 9 March (22:00) in New York, Pat's zone.
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
PAT_TODAY = date(2026, 3, 9)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_it_creates_an_entry_and_stamps_the_patient(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = daily_entry_save(
            patient=pat,
            entry_date=PAT_TODAY,
            values={**VALID_ENTRY, "pain_regions": ["neck", "jaw_left"], "notes": "flare"},
        )
    entry = DailyEntry.objects.get(patient=pat)
    assert result.created is True and result.entry == entry
    assert (entry.date, entry.pain, entry.mood) == (PAT_TODAY, 6, 4)
    assert entry.pain_regions == ["jaw_left", "neck"]
    assert entry.notes == "flare"
    assert PatientProfile.objects.get(user=pat).data_changed_at == NOW
    assert len(callbacks) == 1  # the alert evaluation, enqueued only after commit


def test_it_edits_the_same_day_in_place(pat):
    first = daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY).entry
    result = daily_entry_save(
        patient=pat, entry_date=PAT_TODAY, values={**VALID_ENTRY, "mood": 9, "notes": "better"}
    )
    assert result.created is False
    assert DailyEntry.objects.filter(patient=pat).count() == 1
    entry = DailyEntry.objects.get(pk=first.pk)
    assert (entry.mood, entry.notes) == (9, "better")


def test_without_replace_a_second_entry_for_a_date_is_refused(pat):
    daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY)
    with pytest.raises(InstrumentError) as caught:
        daily_entry_save(
            patient=pat, entry_date=PAT_TODAY, values={**VALID_ENTRY, "mood": 0}, replace=False
        )
    assert "date" in caught.value.errors
    assert DailyEntry.objects.get(patient=pat).mood == 4


@pytest.mark.parametrize(
    ("tz", "entry_date", "allowed"),
    [
        ("America/New_York", date(2026, 3, 9), True),
        ("America/New_York", date(2026, 3, 10), False),  # already the 10th in UTC, not for Pat
        ("America/New_York", date(2025, 12, 1), True),  # back-fill
        ("Pacific/Auckland", date(2026, 3, 10), True),  # 16:00 on the 10th there
        ("Pacific/Auckland", date(2026, 3, 11), False),
        ("UTC", date(2026, 3, 10), True),
    ],
)
def test_future_dates_are_refused_in_the_patients_time_zone(pat, tz, entry_date, allowed):
    PatientProfile.objects.filter(user=pat).update(timezone=tz)
    pat.refresh_from_db()
    if allowed:
        daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert DailyEntry.objects.filter(patient=pat, date=entry_date).exists()
    else:
        with pytest.raises(InstrumentError) as caught:
            daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert "future" in caught.value.errors["date"][0]
        assert not DailyEntry.objects.exists()


@pytest.mark.parametrize(
    ("tz", "entry_date", "error"),
    [
        # NOW is 17:00 on 10 March 2026 at UTC+14 and 16:00 on 9 March at UTC-11.
        ("Pacific/Kiritimati", date(2025, 3, 10), None),  # 365 days back
        ("Pacific/Kiritimati", date(2025, 3, 9), "more than 365 days ago"),  # 366
        ("Pacific/Pago_Pago", date(2025, 3, 9), None),  # 365 days back there
        ("Pacific/Pago_Pago", date(2025, 3, 8), "more than 365 days ago"),
        ("America/New_York", date(2025, 3, 9), None),
        ("America/New_York", date(2025, 3, 8), "more than 365 days ago"),
    ],
)
def test_check_ins_are_at_most_365_days_back_in_the_patients_zone(pat, tz, entry_date, error):
    PatientProfile.objects.filter(user=pat).update(timezone=tz)
    pat.refresh_from_db()
    if error is None:
        daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert DailyEntry.objects.filter(patient=pat, date=entry_date).exists()
    else:
        with pytest.raises(InstrumentError) as caught:
            daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert caught.value.errors == {"date": [TOO_OLD_DATE_MESSAGE]}
        assert error in TOO_OLD_DATE_MESSAGE
        assert not DailyEntry.objects.exists()


@pytest.mark.parametrize(
    ("entry_date", "allowed"),
    [
        (date(2025, 6, 1), True),  # the day of birth
        (date(2025, 5, 31), False),  # the day before
        (date(2026, 3, 9), True),
    ],
)
def test_check_ins_are_never_before_the_date_of_birth(pat, entry_date, allowed):
    PatientProfile.objects.filter(user=pat).update(date_of_birth=date(2025, 6, 1))
    pat.refresh_from_db()
    if allowed:
        daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert DailyEntry.objects.filter(patient=pat, date=entry_date).exists()
    else:
        with pytest.raises(InstrumentError) as caught:
            daily_entry_save(patient=pat, entry_date=entry_date, values=VALID_ENTRY)
        assert caught.value.errors == {"date": [BEFORE_BIRTH_DATE_MESSAGE]}
        assert not DailyEntry.objects.exists()


def test_moving_an_entry_to_an_out_of_range_date_is_refused(pat):
    result = daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY)
    with pytest.raises(InstrumentError) as caught:
        daily_entry_update(entry=result.entry, values={"date": PAT_TODAY - timedelta(days=366)})
    assert caught.value.errors == {"date": [TOO_OLD_DATE_MESSAGE]}
    assert DailyEntry.objects.get(patient=pat).date == PAT_TODAY


def test_bad_values_store_nothing_and_enqueue_nothing(pat, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(InstrumentError) as caught,
    ):
        daily_entry_save(patient=pat, entry_date=PAT_TODAY, values={**VALID_ENTRY, "pain": 11})
    assert caught.value.errors == {"pain": ["Must be from 0 to 10."]}
    assert not DailyEntry.objects.exists()
    assert PatientProfile.objects.get(user=pat).data_changed_at is None
    assert callbacks == []


def test_update_changes_only_the_given_fields(pat):
    entry = daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY).entry
    daily_entry_update(entry=entry, values={"mood": 1, "date": PAT_TODAY - timedelta(days=3)})
    entry.refresh_from_db()
    assert (entry.mood, entry.pain, entry.date) == (1, 6, PAT_TODAY - timedelta(days=3))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date": PAT_TODAY - timedelta(days=1)}, "date"),  # taken by another entry
        ({"date": PAT_TODAY + timedelta(days=1)}, "date"),  # future
        ({"mood": "low"}, "mood"),
        ({"pain_regions": ["elbow"]}, "pain_regions"),
    ],
)
def test_update_refuses_bad_changes(pat, values, field):
    daily_entry_save(patient=pat, entry_date=PAT_TODAY - timedelta(days=1), values=VALID_ENTRY)
    entry = daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY).entry
    with pytest.raises(InstrumentError) as caught:
        daily_entry_update(entry=entry, values=values)
    assert field in caught.value.errors
    entry.refresh_from_db()
    assert (entry.date, entry.mood, entry.pain_regions) == (PAT_TODAY, 4, [])


def test_delete_removes_the_entry_and_stamps_the_patient(pat):
    entry = daily_entry_save(patient=pat, entry_date=PAT_TODAY, values=VALID_ENTRY).entry
    PatientProfile.objects.filter(user=pat).update(data_changed_at=None)
    daily_entry_delete(entry=entry)
    assert not DailyEntry.objects.exists()
    assert PatientProfile.objects.get(user=pat).data_changed_at == NOW


@pytest.mark.parametrize(
    ("instrument", "answers", "score"),
    [
        ("phq9", phq9_with(12), {"total": 12, "band": "moderate", "item9": 0}),
        ("fiqr", FIQR_VALID, {"total": 50.0}),
        ("acr2016", ACR_VALID, {"wpi": 5, "sss": 6, "generalized_pain": True}),
    ],
)
def test_questionnaire_submit_stores_answers_and_score(pat, instrument, answers, score):
    result = questionnaire_submit(patient=pat, instrument=instrument, answers=answers)
    stored = QuestionnaireResponse.objects.get(patient=pat)
    assert stored == result.response
    assert (stored.instrument, stored.answers) == (instrument, answers)
    assert {key: stored.score[key] for key in score} == score
    assert stored.completed_at == NOW
    assert PatientProfile.objects.get(user=pat).data_changed_at == NOW


@pytest.mark.parametrize(
    ("instrument", "answers", "field"),
    [
        ("phq9", {"items": [0] * 8}, "items"),
        ("fiqr", {**FIQR_VALID, "function": [None, None] + [5] * 7}, "function"),
        ("acr2016", {**ACR_VALID, "regions": ["knee"]}, "regions"),
        ("sf36", {}, "instrument"),
    ],
)
def test_questionnaire_submit_refuses_bad_answers(pat, instrument, answers, field):
    with pytest.raises(InstrumentError) as caught:
        questionnaire_submit(patient=pat, instrument=instrument, answers=answers)
    assert field in caught.value.errors
    assert not QuestionnaireResponse.objects.exists()
    assert PatientProfile.objects.get(user=pat).data_changed_at is None


@pytest.mark.parametrize(
    ("self_harm", "crisis"),
    [(False, False), (True, True)],
)
def test_entry_crisis_follows_the_safety_question(pat, self_harm, crisis):
    result = daily_entry_save(
        patient=pat, entry_date=PAT_TODAY, values={**VALID_ENTRY, "self_harm_thoughts": self_harm}
    )
    assert result.crisis is crisis


@pytest.mark.parametrize(
    ("instrument", "answers", "crisis"),
    [
        ("phq9", phq9_with(0, item9=0), False),
        ("phq9", phq9_with(24, item9=0), False),  # severe but item 9 is 0
        ("phq9", phq9_with(1, item9=1), True),
        ("phq9", phq9_with(3, item9=3), True),
        ("fiqr", FIQR_VALID, False),
        ("acr2016", ACR_VALID, False),
    ],
)
def test_questionnaire_crisis_follows_phq9_item9(pat, instrument, answers, crisis):
    result = questionnaire_submit(patient=pat, instrument=instrument, answers=answers)
    assert result.crisis is crisis


THREE = ["sweating", "tremor", "fever"]
D = PAT_TODAY


@pytest.mark.parametrize(
    ("symptoms", "courses", "urgent"),
    [
        # a combination on the day (any severity)
        (
            THREE,
            [
                ("sertraline", D - timedelta(days=60), None),
                ("tramadol", D - timedelta(days=30), None),
            ],
            True,
        ),
        # v2: was True; weak + weak is now `minor`, and S1 counts a combination from moderate up
        # (Gillman: weak agents together do not cause serotonin toxicity).
        (
            THREE,
            [
                ("trazodone", D - timedelta(days=60), None),
                ("ondansetron", D - timedelta(days=60), None),
            ],
            False,
        ),
        (
            THREE[:2],
            [
                ("sertraline", D - timedelta(days=60), None),
                ("tramadol", D - timedelta(days=30), None),
            ],
            False,
        ),
        # a strong or MAOI start 0-7 days before
        (THREE, [("sertraline", D, None)], True),
        (THREE, [("sertraline", D - timedelta(days=7), None)], True),
        (THREE, [("sertraline", D - timedelta(days=8), None)], False),
        (THREE, [("phenelzine", D - timedelta(days=3), None)], True),
        (THREE, [("trazodone", D - timedelta(days=1), None)], False),  # weak start alone
        (THREE, [("pregabalin", D - timedelta(days=1), None)], False),
        (THREE, [], False),
        # a combination whose washout has ended no longer counts
        (
            THREE,
            [
                ("tramadol", D - timedelta(days=60), D - timedelta(days=20)),
                ("trazodone", D - timedelta(days=60), None),
            ],
            False,
        ),
        # sertraline stopped 10 days ago still counts (14-day washout) with tramadol
        (
            THREE,
            [
                ("sertraline", D - timedelta(days=90), D - timedelta(days=10)),
                ("tramadol", D - timedelta(days=60), None),
            ],
            True,
        ),
    ],
)
def test_urgent_care_rule_s1(pat, symptoms, courses, urgent):
    for name, started, stopped in courses:
        course(pat, name, started, stopped)
    assert urgent_care_needed(patient=pat, symptoms=symptoms, on=D) is urgent


def test_entry_result_carries_urgent_care(pat):
    course(pat, "sertraline", D - timedelta(days=2))
    result = daily_entry_save(
        patient=pat, entry_date=D, values={**VALID_ENTRY, "serotonin_symptoms": THREE}
    )
    assert result.urgent_care is True
    assert result.tell_clinician is False
    assert result.crisis is False


@pytest.mark.parametrize(
    ("days_back", "urgent_care", "tell_clinician"),
    [
        (0, True, False),
        (2, True, False),  # T-2: current, urgent care now
        (3, False, True),  # T-3: back-filled, tell your clinician instead
        (365, False, True),
    ],
)
def test_a_back_filled_entry_gets_the_milder_notice(pat, days_back, urgent_care, tell_clinician):
    # sertraline + tramadol taken throughout: S1 applies on every date.
    course(pat, "sertraline", D - timedelta(days=400))
    course(pat, "tramadol", D - timedelta(days=400))
    result = daily_entry_save(
        patient=pat,
        entry_date=D - timedelta(days=days_back),
        values={**VALID_ENTRY, "serotonin_symptoms": THREE},
    )
    assert (result.urgent_care, result.tell_clinician) == (urgent_care, tell_clinician)
