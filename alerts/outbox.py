"""The notification outbox: clinicians are told about every alert, even through outages.

Why an outbox: with one Celery task per email, an email was lost when the worker died between
claiming and sending, when the mail server was down longer than the task's retries, or when
Redis restarted without persistence with the task queued. Now the *intent* to notify is a
`Notification` row written in the same transaction as the alert (or escalation, or reminder)
that causes it, and delivery is a separate, repeatable step:

- `send_pending_notifications()` runs from Celery beat every minute (and, for promptness, is
  enqueued after each commit that adds rows; correctness never depends on that enqueue). It
  claims due rows with `SELECT ... FOR UPDATE SKIP LOCKED` and stamps a lease (`claimed_until`)
  in a short transaction, then sends with no lock held. Two senders never claim the same row;
  a sender killed mid-send leaves a lease that lapses, and the row is sent by a later run.
- A row is marked `sent` only after the mail backend returned without an exception (the SMTP
  server accepted the message). A failure keeps it `pending` with exponential backoff (capped)
  until it is at least `RETRY_FOR` (24 h) old; then it is `failed`, which the admin lists and
  `/healthz` counts.
- Delivery is at-least-once (a sender killed after the server accepted the message but before
  the row was marked sends it again); every message carries the row's fixed `Message-ID`, so a
  duplicate is recognisable.

No health data leaves through here: the email says only that a patient needs review, with a
link to the alert queue (or, for a patient's own reminder, alerts/reminders.py, that it is time
for a check-in); logs and `last_error` carry ids and error types only.
"""

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.access import patients_visible_to
from accounts.links import site_link
from accounts.models import CareLink, CareLinkStatus, Role
from alerts import reminders, signals
from alerts.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    EventKind,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)

logger = logging.getLogger(__name__)

# How long a claimed row is left alone. Far longer than one send (EMAIL_TIMEOUT, 10 s) times a
# batch, so a live sender never loses its rows; short enough that a dead sender's rows are sent
# a few minutes later.
LEASE = timedelta(minutes=5)
BATCH_SIZE = 10
# A row is retried for at least this long after it was written before it is marked failed.
RETRY_FOR = timedelta(hours=24)
BACKOFF_FIRST = timedelta(minutes=1)
# Capped so a message waits at most this long after the mail server comes back.
BACKOFF_MAX = timedelta(minutes=15)
# One run stops claiming after this long, below the one-minute beat interval.
RUN_BUDGET_SECONDS = 45.0

SUBJECT = "A patient needs review"
# teams.models.TeamRole.CLINICIAN, by value: alerts sits below teams (docs/architecture.md).
TEAM_CLINICIAN = "clinician"


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


# --- writing rows (inside the caller's transaction) ----------------------------------------


def clinicians_to_notify(patient_ids: Iterable[int]) -> dict[int, list[int]]:
    """Who is told about a patient's alert, per patient (one query): each verified, active
    clinician with an active link of their own, and each verified, active clinician member of
    a team the patient shares with (triage members and team admins are not e-mailed). A
    clinician reached both ways is listed once."""
    ids = set(patient_ids)
    verified_clinician = {"is_active": True, "role": Role.CLINICIAN}
    direct = CareLink.objects.filter(
        patient_id__in=ids,
        status=CareLinkStatus.ACTIVE,
        team__isnull=True,
        **{f"clinician__{key}": value for key, value in verified_clinician.items()},
        clinician__clinician_profile__verified_at__isnull=False,
    ).values_list("patient_id", "clinician_id")
    # One filter() call: every membership condition holds for the same membership row.
    through_team = CareLink.objects.filter(
        patient_id__in=ids,
        status=CareLinkStatus.ACTIVE,
        team__isnull=False,
        team__memberships__active=True,
        team__memberships__role=TEAM_CLINICIAN,
        **{f"team__memberships__user__{key}": value for key, value in verified_clinician.items()},
        team__memberships__user__clinician_profile__verified_at__isnull=False,
    ).values_list("patient_id", "team__memberships__user_id")
    recipients: dict[int, list[int]] = defaultdict(list)
    for patient_id, clinician_id in sorted(direct.union(through_team)):
        if clinician_id not in recipients[patient_id]:
            recipients[patient_id].append(clinician_id)
    return recipients


def add_notifications(
    alerts: Iterable[tuple[Alert, str]], *, now: datetime | None = None
) -> list[Notification]:
    """Write one pending row per (alert, linked clinician) for the alert's current round.

    Must run in the transaction that creates or escalates the alerts (the caller holds it), so
    the rows commit or roll back with them. Redelivered causes add nothing: the unique
    constraint on (alert, recipient, channel, round) drops the duplicates. After commit the
    sender is enqueued for promptness; the beat run sends the rows if that enqueue is lost.
    """
    now = now or timezone.now()
    pairs = list(alerts)
    recipients = clinicians_to_notify(alert.patient_id for alert, _kind in pairs)
    assignee_only = _assignee_first(pairs)
    rows = [
        Notification(
            alert=alert,
            recipient_id=clinician_id,
            channel=NotificationChannel.EMAIL,
            kind=kind,
            notify_round=alert.notify_round,
            next_attempt_at=now,
            created_at=now,
        )
        for alert, kind in pairs
        for clinician_id in (
            [alert.assigned_to_id]
            if alert.pk in assignee_only and alert.assigned_to_id is not None
            else recipients.get(alert.patient_id, ())
        )
    ]
    if assignee_only:
        Alert.objects.filter(pk__in=assignee_only).update(assignee_only_round=F("notify_round"))
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(announce_due)
    return rows


def _assignee_first(pairs: list[tuple[Alert, str]]) -> set[int]:
    """Ids of the alerts whose escalation or reminder goes to their assignee alone this round:
    the first one since the assignment, while the assignee may still see the patient. The next
    one goes to every clinician (add_notifications)."""
    candidates = [
        alert
        for alert, kind in pairs
        if kind in (NotificationKind.ESCALATION, NotificationKind.REMINDER)
        and alert.assigned_to_id is not None
        and alert.assignee_only_round == 0
    ]
    chosen = set()
    for alert in candidates:  # escalations of assigned alerts are few; one check each
        assignee = alert.assigned_to
        if assignee is not None and (
            patients_visible_to(assignee).filter(pk=alert.patient_id).exists()
        ):
            chosen.add(alert.pk)
    return chosen


def announce_due() -> None:
    """After commit: tell alerts.dispatch to wake the sender (the services never import the
    tasks). Best effort: the beat run every minute is the guarantee."""
    signals.notifications_due.send(sender=Notification)


# --- sending -------------------------------------------------------------------------------


def claim_due(*, limit: int = BATCH_SIZE) -> list[Notification]:
    """Lease up to `limit` due rows to this sender, in one short transaction.

    SKIP LOCKED: a row another sender is claiming right now is skipped, not waited for; once
    that sender commits, its lease in `claimed_until` keeps the row out of every other claim
    until the lease lapses.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("alert", "recipient")
            .filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("next_attempt_at", "id")[:limit]
        )
        if rows:
            until = now + LEASE
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                claimed_until=until, attempts=F("attempts") + 1
            )
            for row in rows:
                row.claimed_until = until
                row.attempts += 1
    return rows


def release(rows: list[Notification]) -> None:
    """Give back claimed rows this run will not send (out of time): due again at once."""
    for row in rows:
        Notification.objects.filter(
            pk=row.pk, status=NotificationStatus.PENDING, claimed_until=row.claimed_until
        ).update(claimed_until=None, attempts=F("attempts") - 1)


def send_pending_notifications(
    *, batch_size: int = BATCH_SIZE, budget_seconds: float = RUN_BUDGET_SECONDS
) -> SendReport:
    """Send every due notification, batch by batch, until none is due or time is up."""
    report = SendReport()
    started = time.monotonic()
    # Stop sending from a batch once its lease is this close to lapsing: another sender could
    # then claim the row too (a duplicate), so leave it for the next run instead.
    margin = timedelta(seconds=2 * (getattr(settings, "EMAIL_TIMEOUT", None) or 10))
    while True:
        rows = claim_due(limit=batch_size)
        for index, row in enumerate(rows):
            out_of_time = time.monotonic() - started > budget_seconds
            lease_ends = row.claimed_until  # stamped by claim_due; never None here
            if out_of_time or lease_ends is None or timezone.now() >= lease_ends - margin:
                release(rows[index:])
                return report
            deliver(row, report)
        if len(rows) < batch_size or time.monotonic() - started > budget_seconds:
            return report


def build_email(row: Notification) -> EmailMessage:
    """The message: fixed wording, no health details, the row's Message-ID."""
    link = site_link("/clinician/alerts/")
    return EmailMessage(
        subject=SUBJECT,
        body=(
            "A patient needs review in the patient portal.\n\n"
            f"Sign in to see your alert queue: {link}\n"
        ),
        to=[row.recipient.email],
        headers={"Message-ID": row.message_id},
    )


def _still_wanted(row: Notification) -> bool:
    """Tell the clinician only if the alert is unresolved and they may still see the patient."""
    alert = row.alert
    if alert is None or alert.status == AlertStatus.RESOLVED:
        return False
    return patients_visible_to(row.recipient).filter(pk=alert.patient_id).exists()


def deliver(row: Notification, report: SendReport) -> None:
    """Send one claimed row and record the outcome. Never raises for a mail error."""
    is_reminder = row.alert_id is None
    wanted = reminders.reminder_still_wanted(row) if is_reminder else _still_wanted(row)
    if not wanted:
        _finish(row, status=NotificationStatus.CANCELLED)
        report.cancelled += 1
        return
    try:
        message = reminders.build_reminder_email(row) if is_reminder else build_email(row)
        accepted = message.send(fail_silently=False)
        if accepted != 1:
            raise RuntimeError("The mail backend accepted no message.")
    except Exception as exc:  # any backend error: retry later, never lose the row
        if _failed(row, exc) == NotificationStatus.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
        return
    if _finish(row, status=NotificationStatus.SENT):
        report.sent += 1


def _finish(row: Notification, *, status: str) -> bool:
    """Mark a row sent (with a `notified` event on the alert's timeline) or cancelled."""
    now = timezone.now()
    with transaction.atomic():
        updated = Notification.objects.filter(pk=row.pk, status=NotificationStatus.PENDING).update(
            status=status,
            sent_at=now if status == NotificationStatus.SENT else None,
            claimed_until=None,
            last_error="",
        )
        if updated and status == NotificationStatus.SENT and row.alert_id is not None:
            AlertEvent.objects.create(
                alert_id=row.alert_id,
                actor_id=row.recipient_id,
                kind=EventKind.NOTIFIED,
                data={"round": row.notify_round, "channel": row.channel, "notification": row.pk},
                created_at=now,
            )
    return bool(updated)


def describe_error(exc: BaseException) -> str:
    """The error's type and SMTP code: never its text, which may quote the message."""
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return (type(exc).__name__ + (f" ({code})" if code else ""))[:200]


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, capped at BACKOFF_MAX."""
    return min(BACKOFF_FIRST * (1 << min(max(attempts - 1, 0), 20)), BACKOFF_MAX)


def _failed(row: Notification, exc: BaseException) -> str:
    now = timezone.now()
    error = describe_error(exc)
    gave_up = now >= row.created_at + RETRY_FOR
    status = NotificationStatus.FAILED if gave_up else NotificationStatus.PENDING
    Notification.objects.filter(pk=row.pk, status=NotificationStatus.PENDING).update(
        status=status,
        next_attempt_at=now if gave_up else now + backoff(row.attempts),
        claimed_until=None,
        last_error=error,
    )
    # Ids and the error type only: never health data, never the message.
    logger.log(
        logging.ERROR if gave_up else logging.WARNING,
        "Notification id=%s (alert id=%s) not sent, attempt %s: %s.%s",
        row.pk,
        row.alert_id,
        row.attempts,
        error,
        " Giving up: marked failed." if gave_up else "",
    )
    return status


def retry_failed(notification_ids: Iterable[int]) -> int:
    """Make failed rows due again now (after the cause was fixed). Returns how many.

    Each gets one more attempt: being older than RETRY_FOR already, a further failure marks it
    failed again at once rather than starting another 24 hours of retries.
    """
    updated = Notification.objects.filter(
        pk__in=list(notification_ids), status=NotificationStatus.FAILED
    ).update(status=NotificationStatus.PENDING, next_attempt_at=timezone.now(), claimed_until=None)
    if updated:
        transaction.on_commit(announce_due)
    return updated


def failed_count() -> int:
    return Notification.objects.filter(status=NotificationStatus.FAILED).count()


def adopt_legacy_task(*, alert_id: int, clinician_id: int) -> bool:
    """A `notify_clinician` task queued before the outbox existed: turn it into a row.

    Skipped when that round was already notified (an old-style `notified` event) or the
    clinician may no longer see the patient; the row is then sent like any other.
    """
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.status == AlertStatus.RESOLVED:
            return False
        if clinician_id not in clinicians_to_notify([alert.patient_id]).get(alert.patient_id, []):
            return False
        notified = AlertEvent.objects.filter(
            alert=alert,
            kind=EventKind.NOTIFIED,
            actor_id=clinician_id,
            data__round=alert.notify_round,
        ).exists()
        if notified:
            return False
        kind = NotificationKind.INITIAL if alert.notify_round <= 1 else NotificationKind.ESCALATION
        Notification.objects.bulk_create(
            [
                Notification(
                    alert=alert,
                    recipient_id=clinician_id,
                    kind=kind,
                    notify_round=alert.notify_round,
                )
            ],
            ignore_conflicts=True,
        )
    return send_pending_notifications().sent > 0
