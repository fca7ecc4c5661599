"""Keep patients' alerts in step with the rules: the evaluation and the reminder sweep.

`sync_alerts_batch` is the one evaluation path: `sync_alerts(patient)` runs it for one patient,
the sweeps (alerts.tasks) run it for batches of patients. It claims the patients' profiles,
reads their data in fixed queries (alerts.snapshots), evaluates the pure rules in Python,
merges by dedupe key (alerts.rules.evidence decides) and writes alerts, events and outbox rows
in bulk, so the nightly sweep is set-based.

Idempotence: a patient's profile row is locked for the length of the evaluation, so two workers
evaluating the same patient run one after the other and the second sees the first one's alerts;
the unique constraint on (patient, dedupe_key) among unresolved alerts backs this up (an
IntegrityError is caught in a savepoint and the existing alert re-read).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import PatientProfile, Role, User
from alerts import outbox
from alerts.models import (
    SEVERITY_RANK,
    Alert,
    AlertEvent,
    AlertStatus,
    EventKind,
    NotificationKind,
    Severity,
)
from alerts.rules import evaluate
from alerts.rules.evidence import Resolved, details_for, hits_of, is_new_episode, merge_into_open
from alerts.rules.facts import COMBINATION_KINDS, PER_EVENT_KINDS, AlertCandidate
from alerts.snapshots import Profile, age_on, load_snapshots
from core.db import id_in
from core.timezones import local_date

# A resolved mood or combination alert keeps suppressing the same evidence for this long; its
# evidence (entries of the last 5 weeks, recent PHQ-9s, current courses) is older than this
# window long before the window ends.
RESOLVED_MEMORY_DAYS = 400
# Patients per sweep batch (alerts.tasks pages through them; one transaction per batch).
BATCH_SIZE = 500
_CHANGED_FIELDS = [
    "severity",
    "severity_rank",
    "status",
    "title",
    "details",
    "updated_at",
    "last_notified_at",
    "notify_round",
]


@dataclass
class SyncResult:
    evaluated: int = 0
    created: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)


def _claim_profiles(patient_ids: list[int], now: datetime) -> list[Profile]:
    """Lock the patients' profile rows (in id order) and mark them evaluated at `now`.

    The row lock serialises evaluations of one patient, and it waits for any transaction that
    is saving new data for the patient (accounts.changes stamps data_changed_at on this row),
    so the evaluation reads that data and last_evaluated_at never hides a change from the sweep.
    One statement on PostgreSQL; it rolls back with the evaluation.
    """
    table = PatientProfile._meta.db_table
    patient_table = PatientProfile._meta.get_field("user").related_model._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"WITH old AS (SELECT p.user_id, p.last_evaluated_at, p.data_changed_at"  # noqa: S608
            f"  FROM {table} p JOIN {patient_table} u ON u.id = p.user_id"
            "  WHERE p.user_id = ANY(%s) AND u.role = %s ORDER BY p.user_id FOR UPDATE OF p)"
            f" UPDATE {table} t SET last_evaluated_at = %s FROM old WHERE t.user_id = old.user_id"
            " RETURNING t.user_id, t.timezone, t.date_of_birth,"
            " old.last_evaluated_at, old.data_changed_at"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(patient_ids), Role.PATIENT, now])
            rows = sorted(cursor.fetchall())
    else:
        query = PatientProfile.objects.filter(user_id__in=patient_ids, user__role=Role.PATIENT)
        rows = list(
            query.select_for_update()
            .order_by("user_id")
            .values_list(
                "user_id", "timezone", "date_of_birth", "last_evaluated_at", "data_changed_at"
            )
        )
        query.update(last_evaluated_at=now)
    profiles = []
    for patient_id, tz_name, dob, evaluated_at, changed_at in rows:
        today = local_date(now, tz_name)
        changed = evaluated_at is None or (changed_at is not None and changed_at > evaluated_at)
        profiles.append(Profile(patient_id, tz_name, today, age_on(dob, today), changed))
    return profiles


@dataclass
class _Plan:
    new: list[tuple[AlertCandidate, int]] = field(default_factory=list)  # (candidate, patient)
    changed: list[Alert] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)
    notify: list[tuple[Alert, str]] = field(default_factory=list)  # (alert, NotificationKind)


def _apply_to_open(
    alert: Alert, candidate: AlertCandidate, now: datetime, plan: _Plan, result: SyncResult
) -> None:
    """Merge a candidate into the open alert with its key (alerts.rules.evidence decides)."""
    merge = merge_into_open(candidate, severity=alert.severity, details=alert.details)
    if merge.details is None:
        return
    alert.details = merge.details
    alert.updated_at = now
    if candidate.kind in COMBINATION_KINDS:
        # One alert per kind grows with the set of drugs: its title names the latest set.
        alert.title = candidate.title
    plan.changed.append(alert)
    if merge.escalate:
        previous = alert.severity
        alert.severity = candidate.severity
        alert.severity_rank = SEVERITY_RANK[candidate.severity]
        alert.title = candidate.title
        # A more serious picture needs a fresh look, even if the lower one was acknowledged.
        alert.status = AlertStatus.OPEN
        alert.last_notified_at = now
        alert.notify_round += 1
        plan.notify.append((alert, NotificationKind.ESCALATION))
        change = {"from": previous, "to": candidate.severity, "rule": candidate.rule}
        plan.events.append(
            AlertEvent(alert=alert, kind=EventKind.ESCALATED, data=change, created_at=now)
        )
        result.escalated.append(alert.pk)
        return
    added = {"rule": candidate.rule, "hits": list(merge.new_hits)}
    plan.events.append(AlertEvent(alert=alert, kind=EventKind.EVIDENCE, data=added, created_at=now))
    result.evidence.append(alert.pk)


def _new_alert(candidate: AlertCandidate, patient_id: int, now: datetime) -> Alert:
    return Alert(
        patient_id=patient_id,
        kind=candidate.kind,
        severity=candidate.severity,
        severity_rank=SEVERITY_RANK[candidate.severity],
        status=AlertStatus.OPEN,
        title=candidate.title,
        details=details_for(candidate, hits_of(candidate.evidence)),
        dedupe_key=candidate.dedupe_key,
        created_at=now,
        updated_at=now,
        last_notified_at=now,
        notify_round=1,
    )


def _created_event(alert: Alert, candidate: AlertCandidate, now: datetime) -> AlertEvent:
    return AlertEvent(
        alert=alert,
        kind=EventKind.CREATED,
        data={
            "severity": candidate.severity,
            "rule": candidate.rule,
            "rule_version": candidate.rule_version,
        },
        created_at=now,
    )


def _existing_alerts(
    candidates: dict[int, list[AlertCandidate]], now: datetime
) -> dict[tuple[int, str], list[Alert]]:
    """The alerts with the candidates' keys, oldest first: unresolved ones, per-event ones, and
    those created or resolved within RESOLVED_MEMORY_DAYS (an alert open for a long time and
    resolved yesterday still suppresses its evidence)."""
    keys = {c.dedupe_key for cands in candidates.values() for c in cands}
    patient_ids = [pid for pid, cands in candidates.items() if cands]
    existing: dict[tuple[int, str], list[Alert]] = defaultdict(list)
    if not keys:
        return existing
    rows = (
        Alert.objects.filter(id_in("patient_id", patient_ids), id_in("dedupe_key", keys))
        .filter(
            ~Q(status=AlertStatus.RESOLVED)
            | Q(kind__in=PER_EVENT_KINDS)
            | Q(created_at__gte=now - timedelta(days=RESOLVED_MEMORY_DAYS))
            | Q(resolved_at__gte=now - timedelta(days=RESOLVED_MEMORY_DAYS))
        )
        .order_by("created_at", "id")
    )
    for alert in rows:
        existing[(alert.patient_id, alert.dedupe_key)].append(alert)
    return existing


def _resolved(alert: Alert, tz_name: str) -> Resolved:
    """What is_new_episode needs of a resolved alert; the resolution's day is the patient's.

    A resolved alert without `resolved_at` (not written by alert_resolve) counts from its last
    change."""
    resolved_at = alert.resolved_at or alert.updated_at
    return Resolved(
        severity=alert.severity,
        details=alert.details,
        resolved_at=resolved_at,
        resolved_on=local_date(resolved_at, tz_name) if resolved_at else None,
    )


def _insert_new(plan: _Plan, now: datetime, result: SyncResult) -> None:
    if not plan.new:
        return
    alerts = [_new_alert(candidate, patient_id, now) for candidate, patient_id in plan.new]
    try:
        with transaction.atomic():
            Alert.objects.bulk_create(alerts)
    except IntegrityError:
        # Someone created one of these meanwhile (the profile lock makes this rare): insert one
        # by one, and merge into the alert that won.
        alerts = []
        for candidate, patient_id in plan.new:
            alert = _new_alert(candidate, patient_id, now)
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
            except IntegrityError:
                winner = (
                    Alert.objects.select_for_update()
                    .exclude(status=AlertStatus.RESOLVED)
                    .get(patient_id=patient_id, dedupe_key=candidate.dedupe_key)
                )
                _apply_to_open(winner, candidate, now, plan, result)
                continue
            alerts.append(alert)
    by_key = {(a.patient_id, a.dedupe_key): a for a in alerts}
    for candidate, patient_id in plan.new:
        created = by_key.get((patient_id, candidate.dedupe_key))
        if created is None:
            continue  # lost the race: merged into the winner above
        plan.events.append(_created_event(created, candidate, now))
        plan.notify.append((created, NotificationKind.INITIAL))
        result.created.append(created.pk)


def sync_alerts(patient: User, *, now: datetime | None = None) -> SyncResult:
    """Evaluate one patient's rules as of today in their time zone and upsert their alerts."""
    return sync_alerts_batch(patient_ids=[patient.pk], now=now, full=True)


def sync_alerts_batch(
    *, patient_ids: Iterable[int], now: datetime | None = None, full: bool = False
) -> SyncResult:
    """Evaluate and upsert alerts for many patients in one transaction, in fixed queries.

    Back-dated self-harm entries (older than the entry window) are read for patients whose data
    changed since their last evaluation, or for everyone with `full`.
    """
    now = now or timezone.now()
    ids = sorted(set(patient_ids))
    result = SyncResult()
    if not ids:
        return result
    with transaction.atomic():
        profiles = _claim_profiles(ids, now)
        if not profiles:
            return result
        if full:
            for profile in profiles:
                profile.changed = True
        snapshots = load_snapshots(profiles)
        zones = {profile.patient_id: profile.tz for profile in profiles}
        candidates = {snap.patient_id: evaluate(snap) for snap in snapshots}
        existing = _existing_alerts(candidates, now)
        plan = _Plan()
        for patient_id, cands in candidates.items():
            for candidate in cands:
                alerts = existing.get((patient_id, candidate.dedupe_key), [])
                open_alert = next((a for a in alerts if a.status != AlertStatus.RESOLVED), None)
                if open_alert is not None:
                    _apply_to_open(open_alert, candidate, now, plan, result)
                elif not alerts or is_new_episode(
                    candidate, [_resolved(a, zones[patient_id]) for a in alerts]
                ):
                    plan.new.append((candidate, patient_id))
        _insert_new(plan, now, result)
        if plan.changed:
            Alert.objects.bulk_update(plan.changed, _CHANGED_FIELDS)
        if plan.events:
            AlertEvent.objects.bulk_create(plan.events)
        if plan.notify:
            outbox.add_notifications(plan.notify, now=now)
        result.evaluated = len(profiles)
    return result


@transaction.atomic
def alerts_remind_unacknowledged(*, now: datetime | None = None) -> list[int]:
    """Critical alerts still open after ALERT_ESCALATE_AFTER: notify again, once per period."""
    now = now or timezone.now()
    due = now - settings.ALERT_ESCALATE_AFTER
    alerts = list(
        Alert.objects.select_for_update(skip_locked=True)
        .filter(status=AlertStatus.OPEN, severity=Severity.CRITICAL)
        .filter(
            Q(last_notified_at__lte=due) | Q(last_notified_at__isnull=True, created_at__lte=due)
        )
        .order_by("id")
    )
    if not alerts:
        return []
    for alert in alerts:
        alert.last_notified_at = now
        alert.notify_round += 1
    Alert.objects.bulk_update(alerts, ["last_notified_at", "notify_round"])
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert=a, kind=EventKind.REMINDED, created_at=now) for a in alerts]
    )
    outbox.add_notifications([(a, NotificationKind.REMINDER) for a in alerts], now=now)
    return [a.pk for a in alerts]
