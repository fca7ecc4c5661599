"""Writes of the clinician workspace.

The only one is the denormalised triage row the dashboard orders by (clinic.models.
PatientTriage); the dashboard selectors call refresh_triage before they read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import F, Q

from accounts.access import patients_visible_to
from accounts.models import User
from clinic.models import PatientTriage
from clinic.triage import TRIAGE_FIGURES, triage_figures_queryset, worsening


def refresh_triage(user: User, *, today: date, patient_ids: Iterable[int] | None = None) -> int:
    """Recompute the PatientTriage rows of `user`'s patients that are missing or stale.

    Stale: computed on another day, or before the patient's data last changed
    (PatientProfile.data_changed_at). One cheap query when everything is fresh; two more
    (figures, upsert) when some were stale. Returns the number of rows recomputed.
    """
    stale = (
        Q(triage__isnull=True)
        | ~Q(triage__as_of=today)
        | Q(patient_profile__data_changed_at__gt=F("triage__source_changed_at"))
        | Q(patient_profile__data_changed_at__isnull=False, triage__source_changed_at__isnull=True)
    )
    visible = patients_visible_to(user)
    if patient_ids is not None:
        visible = visible.filter(pk__in=patient_ids)
    changed_at = dict(
        visible.filter(stale).order_by().values_list("id", "patient_profile__data_changed_at")
    )
    if not changed_at:
        return 0
    rows = (
        triage_figures_queryset(user, today=today)
        .filter(pk__in=list(changed_at))
        .order_by()
        .values("id", *TRIAGE_FIGURES)
    )
    PatientTriage.objects.bulk_create(
        [
            PatientTriage(
                patient_id=row["id"],
                as_of=today,
                source_changed_at=changed_at[row["id"]],
                worsening=worsening(row),
                **{name: row[name] for name in TRIAGE_FIGURES},
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["as_of", "source_changed_at", "worsening", *TRIAGE_FIGURES],
    )
    return len(changed_at)
