"""The symptom-notice check the journal needs synchronously, provided by a higher app.

Rule S1 (serotonin toxicity symptoms with a serotonergic risk) needs the patient's medicines,
which the journal must not import (DESIGN.md "Layering": `journal` and `medications` are
siblings, and neither imports `alerts`). The journal declares the hook; the alerts app, which
owns rule S1, registers its check in `AlertsConfig.ready()`.

The check answers which notice the patient sees
(docs/clinical-rules.md#serotonin-toxicity-symptoms): NOTICE_URGENT_CARE for an entry dated
in the last three days (get urgent care now), NOTICE_TELL_CLINICIAN for a back-filled one
(tell your clinician), or None.

Clinical safety: the patient must see the notice on the very next page or API response, so the
check runs in the request, never in the background job. An unregistered hook is a
configuration error and fails loudly; it never silently answers "no notice".
"""

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from accounts.models import User

NOTICE_URGENT_CARE = "urgent_care"
NOTICE_TELL_CLINICIAN = "tell_clinician"


class SymptomNoticeCheck(Protocol):
    """Which notice (or None) the patient sees, given the symptoms ticked for day `on`."""

    def __call__(self, *, patient: User, symptoms: Iterable[str], on: date) -> str | None: ...


_symptom_notice_check: SymptomNoticeCheck | None = None


def register_symptom_notice_check(check: SymptomNoticeCheck) -> None:
    """Install the check (called once by AlertsConfig.ready; a second call replaces it)."""
    global _symptom_notice_check
    _symptom_notice_check = check


def register_urgent_care_check(check: SymptomNoticeCheck) -> None:
    """v1 name of register_symptom_notice_check (the check now answers which notice)."""
    register_symptom_notice_check(check)


def symptom_notice(*, patient: User, symptoms: Iterable[str], on: date) -> str | None:
    """Rule S1 for the patient notice, for an entry dated `on`."""
    if _symptom_notice_check is None:
        raise ImproperlyConfigured(
            "No symptom-notice check is registered: is 'alerts' in INSTALLED_APPS?"
        )
    return _symptom_notice_check(patient=patient, symptoms=symptoms, on=on)


def urgent_care_needed(*, patient: User, symptoms: Iterable[str], on: date) -> bool:
    """v1 name: True only when the patient must be sent to urgent care."""
    return symptom_notice(patient=patient, symptoms=symptoms, on=on) == NOTICE_URGENT_CARE
