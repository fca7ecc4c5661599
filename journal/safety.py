"""The urgent-care check the journal needs synchronously, provided by a higher app.

Rule S1 (urgent-care notice: serotonin toxicity symptoms with a serotonergic risk) needs the
patient's medicines, which the journal must not import (DESIGN.md "Layering": `journal` and
`medications` are siblings, and neither imports `alerts`). The journal declares the hook; the
alerts app, which owns rule S1, registers its check in `AlertsConfig.ready()`.

Clinical safety: the patient must see the notice on the very next page or API response, so the
check runs in the request, never in the background job. An unregistered hook is a
configuration error and fails loudly; it never silently answers "no notice".
"""

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from accounts.models import User


class UrgentCareCheck(Protocol):
    """Must the patient be told to seek urgent care, given the symptoms ticked for day `on`?"""

    def __call__(self, *, patient: User, symptoms: Iterable[str], on: date) -> bool: ...


_urgent_care_check: UrgentCareCheck | None = None


def register_urgent_care_check(check: UrgentCareCheck) -> None:
    """Install the check (called once by AlertsConfig.ready; a second call replaces it)."""
    global _urgent_care_check
    _urgent_care_check = check


def urgent_care_needed(*, patient: User, symptoms: Iterable[str], on: date) -> bool:
    """Rule S1 for the patient notice, as of `on` (the entry's date)."""
    if _urgent_care_check is None:
        raise ImproperlyConfigured(
            "No urgent-care check is registered: is 'alerts' in INSTALLED_APPS?"
        )
    return _urgent_care_check(patient=patient, symptoms=symptoms, on=on)
