"""journal.safety: the urgent-care check is provided by alerts and never silently missing."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from alerts.urgent_care import urgent_care_needed as alerts_check
from journal import safety


def test_alerts_registers_its_s1_check_at_start_up():
    assert safety._urgent_care_check is alerts_check


def test_without_a_registered_check_it_fails_loudly(monkeypatch):
    monkeypatch.setattr(safety, "_urgent_care_check", None)
    with pytest.raises(ImproperlyConfigured):
        safety.urgent_care_needed(
            patient=None, symptoms=["fever", "tremor", "sweating"], on=date(2026, 6, 15)
        )
