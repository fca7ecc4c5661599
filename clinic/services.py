"""Writes of the clinician workspace.

The only one is the denormalised triage row the dashboard orders by (clinic.models.
PatientTriage); the dashboard selectors call refresh_triage before they read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from accounts.access import patients_visible_to
from accounts.models import User
from clinic.models import PatientTriage
from clinic.triage import TRIAGE_FIGURES, triage_figures_queryset, worsening
from core.timezones import local_midnight, zone_named


def stale_triage(*, now: datetime, today: date | None = None) -> Q:
    """On a patient queryset: their PatientTriage row is missing, its day has ended where they
    live (or, with `today`, it was computed for another date), or their data changed after it
    was computed. refresh_triage recomputes these rows; the dashboard's triage query counts them
    so that the common case (none) needs no query of its own."""
    fresh = Q(triage__as_of=today) if today is not None else Q(triage__fresh_until__gt=now)
    return (
        Q(triage__isnull=True)
        | ~fresh
        | Q(patient_profile__data_changed_at__gt=F("triage__source_changed_at"))
        | Q(patient_profile__data_changed_at__isnull=False, triage__source_changed_at__isnull=True)
    )


def refresh_triage(
    user: User,
    *,
    now: datetime | None = None,
    today: date | None = None,
    patient_ids: Iterable[int] | None = None,
) -> int:
    """Recompute the PatientTriage rows of `user`'s patients that are missing or stale.

    Each row is computed for the patient's own "today" (their local date at `now`) and is stale
    from the instant that day ends where they live (PatientTriage.fresh_until), or when the
    patient's data changed after it was computed (PatientProfile.data_changed_at). `today`
    pins one date for every patient instead (tests and benches). One cheap query when
    everything is fresh; two more (figures, upsert) when some were stale. Returns the number of
    rows recomputed.
    """
    now = now or timezone.now()
    stale = stale_triage(now=now, today=today)
    visible = patients_visible_to(user)
    if patient_ids is not None:
        visible = visible.filter(pk__in=patient_ids)
    found = list(
        visible.filter(stale)
        .order_by()
        .values_list("id", "patient_profile__data_changed_at", "patient_profile__timezone")
    )
    if not found:
        return 0
    changed_at = {pk: changed for pk, changed, _ in found}
    days: dict[int, date] = {}
    fresh_until: dict[int, datetime | None] = {}
    for pk, _, zone_name in found:
        zone = zone_named(zone_name)
        days[pk] = today if today is not None else now.astimezone(zone).date()
        fresh_until[pk] = (
            None if today is not None else local_midnight(days[pk] + timedelta(days=1), zone)
        )
    rows = triage_figures_queryset(user, days=days).order_by().values("id", *TRIAGE_FIGURES)
    PatientTriage.objects.bulk_create(
        [
            PatientTriage(
                patient_id=row["id"],
                as_of=days[row["id"]],
                fresh_until=fresh_until[row["id"]],
                source_changed_at=changed_at[row["id"]],
                worsening=worsening(row),
                **{name: row[name] for name in TRIAGE_FIGURES},
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["as_of", "fresh_until", "source_changed_at", "worsening", *TRIAGE_FIGURES],
    )
    return len(changed_at)
