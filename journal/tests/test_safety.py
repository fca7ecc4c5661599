"""journal.safety: the symptom-notice check is provided by alerts and never silently missing."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from alerts.rules import symptoms
from alerts.urgent_care import symptom_notice as alerts_check
from journal import safety


def test_alerts_registers_its_s1_check_at_start_up():
    assert safety._symptom_notice_check is alerts_check


def test_the_notice_names_agree_between_the_journal_and_the_rules():
    # The journal cannot import alerts: the two constants are kept equal by this test.
    assert safety.NOTICE_URGENT_CARE == symptoms.NOTICE_URGENT_CARE
    assert safety.NOTICE_TELL_CLINICIAN == symptoms.NOTICE_TELL_CLINICIAN


@pytest.mark.parametrize("call", [safety.symptom_notice, safety.urgent_care_needed])
def test_without_a_registered_check_it_fails_loudly(monkeypatch, call):
    monkeypatch.setattr(safety, "_symptom_notice_check", None)
    with pytest.raises(ImproperlyConfigured):
        call(patient=None, symptoms=["fever", "tremor", "sweating"], on=date(2026, 6, 15))
