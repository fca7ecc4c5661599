"""Alert writes: keep a patient's alerts in step with the rules, and the follow-up workflow.

`sync_alerts_batch` is the one evaluation path: `sync_alerts(patient)` runs it for one patient,
the sweeps run it for batches of patients. It reads a fixed number of queries per batch
(profiles, entries, PHQ-9 responses, courses, existing alerts), evaluates the pure rules in
Python and upserts by dedupe key, so the nightly sweep is set-based.

Idempotence: a patient's profile row is locked for the length of the evaluation, so two workers
evaluating the same patient run one after the other and the second sees the first one's alerts;
the unique constraint on (patient, dedupe_key) among unresolved alerts backs this up (an
IntegrityError is caught in a savepoint and the existing alert re-read).
"""

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    F,
    IntegerField,
    Q,
    Sum,
    TextField,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from accounts.models import PatientProfile, Role
from alerts import outbox
from alerts.models import SEVERITY_RANK, Alert, AlertEvent, AlertStatus, NotificationKind
from alerts.rules import evaluate
from alerts.rules.facts import (
    ENTRY_LOOKBACK_DAYS,
    PER_EVENT_KINDS,
    AlertCandidate,
    EntryFacts,
    PatientSnapshot,
    Phq9Facts,
)
from alerts.rules.mood import M5_BASELINE_DAYS, M5_RECENT_DAYS
from core.db import id_in
from core.timezones import local_date
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from medications.catalog import drug_facts_of
from medications.interactions import CourseFacts
from medications.models import MedicationCourse

logger = logging.getLogger(__name__)

# A resolved mood or combination alert keeps suppressing the same evidence for this long; its
# evidence (entries of the last 5 weeks, recent PHQ-9s, current courses) is older than this
# window long before the window ends.
RESOLVED_MEMORY_DAYS = 400
# The PHQ-9 responses the rules need: the latest and the one before it (M2, M3), and every
# response with item 9 above 0 (M1, whatever its date).
PHQ9_LATEST_RESPONSES = 2
BATCH_SIZE = 500


class EventKind:
    CREATED = "created"
    EVIDENCE = "evidence"
    ESCALATED = "escalated"
    NOTIFIED = "notified"
    REMINDED = "reminded"
    ACKNOWLEDGED = "acknowledged"
    NOTE = "note"
    RESOLVED = "resolved"


@dataclass
class SyncResult:
    evaluated: int = 0
    created: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)


# --- time ----------------------------------------------------------------------------------


def age_on(date_of_birth: date | None, on: date) -> int | None:
    if date_of_birth is None:
        return None
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


# --- loading -------------------------------------------------------------------------------


@dataclass
class _Profile:
    patient_id: int
    tz: str
    today: date
    age: int | None
    # Data changed since the last evaluation (or never evaluated): old entries are read too.
    changed: bool = True


def _claim_profiles(patient_ids: list[int], now: datetime) -> list[_Profile]:
    """Lock the patients' profile rows (in id order) and mark them evaluated at `now`.

    The row lock serialises evaluations of one patient, and it waits for any transaction that
    is saving new data for the patient (alerts.triggers stamps data_changed_at on this row), so
    the evaluation reads that data and last_evaluated_at never hides a change from the sweep.
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
        profiles.append(_Profile(patient_id, tz_name, today, age_on(dob, today), changed))
    return profiles


_EMPTY_JSON_LISTS = frozenset({None, "", "[]", "null"})


def _symptom_codes(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    if isinstance(value, str):  # a backend that double-encodes
        return _symptom_codes(value)
    return tuple(code for code in value if isinstance(code, str)) if isinstance(value, list) else ()


def _by_today(profiles: list[_Profile]) -> dict[date, list[int]]:
    # Patients' "today" differs by time zone: at most two or three dates at any moment.
    groups: dict[date, list[int]] = defaultdict(list)
    for profile in profiles:
        groups[profile.today].append(profile.patient_id)
    return groups


def _load_entries(profiles: list[_Profile]) -> dict[int, list[EntryFacts]]:
    """Entries the rules read one by one: the last 7 days (M4, M5), the window's entries with
    symptoms or self-harm ticked (S1, M1), and back-dated self-harm ticks of changed patients.
    The older moods M5 needs come aggregated from _load_mood_baselines."""
    recent_days = timedelta(days=M5_RECENT_DAYS - 1)
    window_days = timedelta(days=ENTRY_LOOKBACK_DAYS)
    flagged = Q(self_harm_thoughts=True) | ~Q(serotonin_symptoms=[])
    # One date bound for the batch (the earliest "today"); each patient's own bounds are applied
    # below, which keeps the SQL to one array of ids however many time zones the batch spans.
    earliest = min(p.today for p in profiles)
    changed = [p.patient_id for p in profiles if p.changed]
    wanted = id_in("patient_id", [p.patient_id for p in profiles]) & (
        Q(date__gte=earliest - recent_days) | (Q(date__gte=earliest - window_days) & flagged)
    )
    if changed:
        wanted |= id_in("patient_id", changed) & Q(self_harm_thoughts=True)
    by_id = {p.patient_id: p for p in profiles}
    rows = (
        DailyEntry.objects.filter(wanted)
        .order_by("patient_id", "date")
        # As text: decoding a JSON value per row dominated the nightly sweep.
        .annotate(symptoms_text=Cast("serotonin_symptoms", TextField()))
        .values_list("patient_id", "id", "date", "mood", "symptoms_text", "self_harm_thoughts")
    )
    entries: dict[int, list[EntryFacts]] = defaultdict(list)
    for patient_id, entry_id, day, mood, symptoms_text, self_harm in rows:
        profile = by_id[patient_id]
        symptoms = () if symptoms_text in _EMPTY_JSON_LISTS else _symptom_codes(symptoms_text)
        recent = day >= profile.today - recent_days
        in_window = day >= profile.today - window_days and (symptoms or self_harm)
        if not (recent or in_window or (self_harm and profile.changed)):
            continue
        entries[patient_id].append(
            EntryFacts(
                id=entry_id,
                date=day,
                mood=mood,
                serotonin_symptoms=symptoms,
                self_harm_thoughts=self_harm,
            )
        )
    return entries


def _load_mood_baselines(profiles: list[_Profile]) -> dict[int, tuple[int, int]]:
    """(entries, sum of moods) over T-34..T-7 per patient, aggregated in the database (M5)."""
    first = timedelta(days=M5_RECENT_DAYS + M5_BASELINE_DAYS - 1)
    last = timedelta(days=M5_RECENT_DAYS)
    window = Q(pk__in=[])
    for today, ids in _by_today(profiles).items():
        window |= id_in("patient_id", ids) & Q(date__gte=today - first, date__lte=today - last)
    rows = (
        DailyEntry.objects.filter(window)
        .values("patient_id")
        .annotate(count=Count("mood"), total=Sum("mood"))
        .order_by()
        .values_list("patient_id", "count", "total")
    )
    return {patient_id: (count, total or 0) for patient_id, count, total in rows}


def _load_phq9(profiles: list[_Profile], now: datetime) -> dict[int, list[Phq9Facts]]:
    by_id = {p.patient_id: p for p in profiles}
    rows = (
        QuestionnaireResponse.objects.filter(id_in("patient_id", by_id), instrument=Instrument.PHQ9)
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("patient_id")],
                order_by=[F("completed_at").desc(), F("id").desc()],
            )
        )
        .filter(Q(recency__lte=PHQ9_LATEST_RESPONSES) | Q(score__item9__gte=1))
        .order_by("patient_id", "completed_at", "id")
        .annotate(
            total=Cast(KT("score__total"), IntegerField()),
            item9=Cast(KT("score__item9"), IntegerField()),
        )
        .values_list("patient_id", "id", "completed_at", "total", "item9")
    )
    responses: dict[int, list[Phq9Facts]] = defaultdict(list)
    for patient_id, response_id, completed_at, total, item9 in rows:
        profile = by_id[patient_id]
        completed_on = local_date(completed_at, profile.tz)
        if total is None:
            continue
        responses[patient_id].append(
            Phq9Facts(id=response_id, completed_on=completed_on, total=total, item9=item9 or 0)
        )
    return responses


def _load_courses(profiles: list[_Profile]) -> dict[int, list[CourseFacts]]:
    rows = (
        MedicationCourse.objects.filter(id_in("patient_id", [p.patient_id for p in profiles]))
        .order_by("patient_id", "started_on", "id")
        .values_list(
            "patient_id",
            "name",
            "started_on",
            "stopped_on",
            "drug_id",
            "drug__name",
            "drug__serotonergic",
            "drug__washout_days",
            "drug__suicidality_warning",
        )
    )
    courses: dict[int, list[CourseFacts]] = defaultdict(list)
    for patient_id, name, started, stopped, drug_id, d_name, tier, washout, warning in rows:
        drug = None if drug_id is None else drug_facts_of(d_name, tier, washout, warning)
        courses[patient_id].append(
            CourseFacts(name=name, drug=drug, started_on=started, stopped_on=stopped)
        )
    return courses


def load_snapshots(profiles: list[_Profile], now: datetime) -> list[PatientSnapshot]:
    """Four queries for any number of patients."""
    if not profiles:
        return []
    entries = _load_entries(profiles)
    baselines = _load_mood_baselines(profiles)
    phq9 = _load_phq9(profiles, now)
    courses = _load_courses(profiles)
    return [
        PatientSnapshot(
            patient_id=p.patient_id,
            today=p.today,
            age=p.age,
            entries=tuple(entries.get(p.patient_id, ())),
            phq9=tuple(phq9.get(p.patient_id, ())),
            courses=tuple(courses.get(p.patient_id, ())),
            mood_baseline=baselines.get(p.patient_id, (0, 0)),
        )
        for p in profiles
    ]


# --- evidence ------------------------------------------------------------------------------


def _hit_is_new(hit: dict, seen: Iterable[dict]) -> bool:
    """A hit is old news when a seen hit of the same rule shares an item (same episode)."""
    items = set(hit.get("items", ()))
    for other in seen:
        if other.get("rule") != hit.get("rule"):
            continue
        other_items = set(other.get("items", ()))
        if items & other_items or (not items and not other_items):
            return False
    return True


def _hits(details_or_candidate_evidence: dict) -> list[dict]:
    return list(details_or_candidate_evidence.get("hits", ()))


def _details(candidate: AlertCandidate, hits: list[dict]) -> dict:
    """The stored details: the hits gathered so far and their rules and explanations."""
    rules = list(dict.fromkeys(hit.get("rule", candidate.rule) for hit in hits))
    explained = all("explanation" in hit for hit in hits) and hits
    return {
        "rule": "+".join(rules) if rules else candidate.rule,
        "rule_version": candidate.rule_version,
        "explanation": (
            " ".join(hit["explanation"] for hit in hits) if explained else candidate.explanation
        ),
        "patient_message": candidate.patient_message,
        "evidence": {**candidate.evidence, "hits": hits},
    }


def _is_new_episode(candidate: AlertCandidate, resolved: list[Alert]) -> bool:
    """Raise again after resolution only on new evidence or a higher severity."""
    if candidate.kind in PER_EVENT_KINDS:
        return False
    latest = max(resolved, key=lambda a: (a.created_at, a.pk))
    if SEVERITY_RANK[candidate.severity] > latest.severity_rank:
        return True
    seen = [hit for alert in resolved for hit in _hits(alert.details.get("evidence", {}))]
    return any(_hit_is_new(hit, seen) for hit in _hits(candidate.evidence))


# --- sync ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    new: list[tuple[AlertCandidate, int]] = field(default_factory=list)  # (candidate, patient)
    changed: list[Alert] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)
    notify: list[tuple[Alert, str]] = field(default_factory=list)  # (alert, NotificationKind)


def _apply_to_open(alert: Alert, candidate: AlertCandidate, now: datetime, plan: _Plan) -> str:
    """Merge a candidate into the open alert with its key. Returns what happened."""
    old_hits = _hits(alert.details.get("evidence", {}))
    cand_hits = _hits(candidate.evidence)
    new_hits = [hit for hit in cand_hits if _hit_is_new(hit, old_hits)]
    rank = SEVERITY_RANK[candidate.severity]
    if rank > alert.severity_rank:
        previous = alert.severity
        kept = [hit for hit in old_hits if all(_hit_is_new(hit, [c]) for c in cand_hits)]
        alert.severity = candidate.severity
        alert.severity_rank = rank
        alert.title = candidate.title
        alert.details = _details(candidate, cand_hits + kept)
        # A more serious picture needs a fresh look, even if the lower one was acknowledged.
        alert.status = AlertStatus.OPEN
        alert.last_notified_at = now
        alert.notify_round += 1
        alert.updated_at = now
        plan.changed.append(alert)
        plan.notify.append((alert, NotificationKind.ESCALATION))
        plan.events.append(
            AlertEvent(
                alert=alert,
                kind=EventKind.ESCALATED,
                data={"from": previous, "to": candidate.severity, "rule": candidate.rule},
                created_at=now,
            )
        )
        return EventKind.ESCALATED
    if new_hits:
        alert.details = _details(candidate, old_hits + new_hits)
        alert.updated_at = now
        plan.changed.append(alert)
        plan.events.append(
            AlertEvent(
                alert=alert,
                kind=EventKind.EVIDENCE,
                data={"rule": candidate.rule, "hits": new_hits},
                created_at=now,
            )
        )
        return EventKind.EVIDENCE
    return ""


def _new_alert(candidate: AlertCandidate, patient_id: int, now: datetime) -> Alert:
    return Alert(
        patient_id=patient_id,
        kind=candidate.kind,
        severity=candidate.severity,
        severity_rank=SEVERITY_RANK[candidate.severity],
        status=AlertStatus.OPEN,
        title=candidate.title,
        details=_details(candidate, _hits(candidate.evidence)),
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


def _existing_alerts(candidates: dict[int, list[AlertCandidate]], now: datetime) -> dict:
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
        )
        .order_by("created_at", "id")
    )
    for alert in rows:
        existing[(alert.patient_id, alert.dedupe_key)].append(alert)
    return existing


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
                what = _apply_to_open(winner, candidate, now, plan)
                if what == EventKind.ESCALATED:
                    result.escalated.append(winner.pk)
                elif what == EventKind.EVIDENCE:
                    result.evidence.append(winner.pk)
                continue
            alerts.append(alert)
    by_key = {(a.patient_id, a.dedupe_key): a for a in alerts}
    for candidate, patient_id in plan.new:
        alert = by_key.get((patient_id, candidate.dedupe_key))
        if alert is None:
            continue
        plan.events.append(_created_event(alert, candidate, now))
        plan.notify.append((alert, NotificationKind.INITIAL))
        result.created.append(alert.pk)


def sync_alerts(patient, *, now: datetime | None = None) -> SyncResult:
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
        snapshots = load_snapshots(profiles, now)
        candidates = {snap.patient_id: evaluate(snap) for snap in snapshots}
        existing = _existing_alerts(candidates, now)
        plan = _Plan()
        for patient_id, cands in candidates.items():
            for candidate in cands:
                alerts = existing.get((patient_id, candidate.dedupe_key), [])
                open_alert = next((a for a in alerts if a.status != AlertStatus.RESOLVED), None)
                if open_alert is not None:
                    what = _apply_to_open(open_alert, candidate, now, plan)
                    if what == EventKind.ESCALATED:
                        result.escalated.append(open_alert.pk)
                    elif what == EventKind.EVIDENCE:
                        result.evidence.append(open_alert.pk)
                elif not alerts or _is_new_episode(candidate, alerts):
                    plan.new.append((candidate, patient_id))
        _insert_new(plan, now, result)
        if plan.changed:
            Alert.objects.bulk_update(
                plan.changed,
                [
                    "severity",
                    "severity_rank",
                    "status",
                    "title",
                    "details",
                    "updated_at",
                    "last_notified_at",
                    "notify_round",
                ],
            )
        if plan.events:
            AlertEvent.objects.bulk_create(plan.events)
        if plan.notify:
            outbox.add_notifications(plan.notify, now=now)
        result.evaluated = len(profiles)
    return result


# --- notifications -------------------------------------------------------------------------
# Written to the outbox (alerts/outbox.py) in the evaluation's transaction; sent from there.

clinicians_to_notify = outbox.clinicians_to_notify


@transaction.atomic
def alerts_remind_unacknowledged(*, now: datetime | None = None) -> list[int]:
    """Critical alerts still open after ALERT_ESCALATE_AFTER: notify again, once per period."""
    from django.conf import settings

    now = now or timezone.now()
    due = now - settings.ALERT_ESCALATE_AFTER
    alerts = list(
        Alert.objects.select_for_update(skip_locked=True)
        .filter(status=AlertStatus.OPEN, severity="critical")
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


# --- follow-up workflow --------------------------------------------------------------------


def _require_note(note: str | None) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": ["Write a note about what was done."]})
    return text


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor, note: str = "") -> Alert:
    """Open -> acknowledged. Acknowledging again (or a resolved alert) records nothing."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.OPEN:
        return alert
    now = timezone.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    AlertEvent.objects.create(
        alert=alert,
        actor=actor,
        kind=EventKind.ACKNOWLEDGED,
        note=(note or "").strip(),
        created_at=now,
    )
    return alert


@transaction.atomic
def alert_add_note(*, alert: Alert, actor, note: str) -> AlertEvent:
    text = _require_note(note)
    return AlertEvent.objects.create(alert=alert, actor=actor, kind=EventKind.NOTE, note=text)


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, note: str) -> Alert:
    """Resolve with a required note. Resolving a resolved alert records nothing."""
    text = _require_note(note)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        return alert
    now = timezone.now()
    fields = ["status", "resolved_at", "resolved_by", "updated_at"]
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = actor
        fields += ["acknowledged_at", "acknowledged_by"]
    alert.status = AlertStatus.RESOLVED
    alert.resolved_at = now
    alert.resolved_by = actor
    alert.save(update_fields=fields)
    AlertEvent.objects.create(
        alert=alert, actor=actor, kind=EventKind.RESOLVED, note=text, created_at=now
    )
    return alert
