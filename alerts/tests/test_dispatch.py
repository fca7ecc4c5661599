"""alerts.dispatch: the receivers that turn the lower apps' announcements into tasks."""

import pytest
import time_machine

from accounts.models import PatientProfile
from alerts import tasks
from alerts.models import Alert
from alerts.tests.factories import NOW, TODAY
from journal.services import daily_entry_save
from journal.tests.helpers import VALID_ENTRY
from medications.services import medication_course_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_journal_save_is_evaluated_after_commit(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        daily_entry_save(
            patient=pat, entry_date=TODAY, values={**VALID_ENTRY, "self_harm_thoughts": True}
        )
    assert Alert.objects.get(patient=pat).kind == "suicidal_ideation"


def test_a_medication_save_is_evaluated_after_commit(pat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        medication_course_create(patient=pat, drug="sertraline", started_on=TODAY)
        medication_course_create(patient=pat, drug="tramadol", started_on=TODAY)
    assert Alert.objects.get(patient=pat).kind == "serotonergic_combination"


def test_a_broker_error_keeps_the_save_and_the_sweep_catches_up(
    pat, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.evaluate_patient, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        daily_entry_save(
            patient=pat, entry_date=TODAY, values={**VALID_ENTRY, "self_harm_thoughts": True}
        )
    assert not Alert.objects.exists()
    assert PatientProfile.objects.get(user=pat).data_changed_at is not None
    monkeypatch.undo()
    assert tasks.sweep_changed.delay().get() == 1
    assert Alert.objects.get(patient=pat).kind == "suicidal_ideation"
