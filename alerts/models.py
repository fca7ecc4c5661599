import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alerts.rules.facts import ALERT_SEVERITY_ORDER


class AlertKind(models.TextChoices):
    SEROTONERGIC_COMBINATION = "serotonergic_combination", "Serotonergic combination"
    HYPERTENSIVE_COMBINATION = "hypertensive_combination", "Hypertensive combination"
    SEROTONIN_TOXICITY_SYMPTOMS = "serotonin_toxicity_symptoms", "Serotonin toxicity symptoms"
    SUICIDAL_IDEATION = "suicidal_ideation", "Suicidal ideation"
    MOOD_WORSENING = "mood_worsening", "Mood worsening"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


# Alert.severity_rank, so SQL can order and take the maximum; 0 means "no alert".
SEVERITY_RANK = {severity: rank for rank, severity in enumerate(ALERT_SEVERITY_ORDER, start=1)}
SEVERITY_BY_RANK = {rank: severity for severity, rank in SEVERITY_RANK.items()}


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=200)
    details = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who took the alert on ("I'll take it"): escalations and reminders go to them first.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The notify_round that went to the assignee alone (0: none since the assignment); the
    # next escalation or reminder then goes to every clinician (alerts.outbox).
    assignee_only_round = models.PositiveIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    # Incremented each time clinicians are to be told (created, escalated, reminded); a
    # notification task sends at most one email per clinician and round.
    notify_round = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "dedupe_key"],
                condition=~Q(status="resolved"),
                name="one_unresolved_alert_per_dedupe_key",
            )
        ]
        indexes = [
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["status", "severity_rank", "created_at"]),
        ]
        ordering = ["-severity_rank", "created_at"]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.kind}, {self.severity})"


class EventKind(models.TextChoices):
    """What an AlertEvent records: the alert's own history, then the clinicians' follow-up."""

    CREATED = "created", "Created"
    EVIDENCE = "evidence", "New evidence"
    ESCALATED = "escalated", "Escalated"
    NOTIFIED = "notified", "Clinician notified"
    REMINDED = "reminded", "Reminder sent"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ASSIGNED = "assigned", "Taken on"
    UNASSIGNED = "unassigned", "Handed back"
    NOTE = "note", "Note"
    RESOLVED = "resolved", "Resolved"


class AlertEvent(models.Model):
    """The follow-up timeline of an alert: created, evidence, escalated, acknowledged, notes."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Alert event {self.pk} ({self.kind})"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Not needed any more when its turn came: the alert was resolved, or the recipient can no
    # longer see the patient (link revoked, account deactivated). Never counted as a failure.
    CANCELLED = "cancelled", "Cancelled"


class NotificationKind(models.TextChoices):
    INITIAL = "initial", "New alert"
    ESCALATION = "escalation", "Escalated (higher severity)"
    REMINDER = "reminder", "Reminder (critical, not acknowledged)"
    # Reminders to a patient (alerts/reminders.py): no alert, one per patient, kind and local date.
    CHECKIN_REMINDER = "checkin_due", "Patient reminder: daily check-in"
    PHQ9_DUE = "phq9_due", "Patient reminder: PHQ-9 due"
    FIQR_DUE = "fiqr_due", "Patient reminder: FIQR due"


PATIENT_REMINDER_KINDS = (
    NotificationKind.CHECKIN_REMINDER,
    NotificationKind.PHQ9_DUE,
    NotificationKind.FIQR_DUE,
)


def new_message_id() -> str:
    """A globally unique Message-ID, fixed when the row is written so every retry reuses it
    (a mail client or the clinician can recognise a duplicate delivery)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "portal.invalid"
    return f"<alert-notification.{uuid.uuid4().hex}@{domain}>"


class Notification(models.Model):
    """The outbox: one row per message to send (alert × recipient × channel × round), or one
    patient reminder (no alert; recipient × kind × the patient's local date, `reminder_date`).

    Written in the same transaction as the alert, escalation or reminder that causes it, so a
    committed alert always has its notifications, whatever happens to the broker or a worker
    afterwards. `alerts.outbox.send_pending_notifications` delivers them. No health data here:
    the message is built at send time from fixed wording, and `last_error` holds the error's
    type and SMTP code only.
    """

    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_notifications"
    )
    channel = models.CharField(
        max_length=16, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    # Alert.notify_round when the row was written: the sequence number that keeps one message
    # per alert, recipient and round however often the cause is redelivered.
    notify_round = models.PositiveIntegerField(default=0)
    # A patient reminder's day in the patient's own time zone (the check-in day, or the day a
    # questionnaire fell due): with recipient and kind it makes each reminder unique.
    reminder_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A sender's lease: while in the future, other senders leave the row alone; a sender that
    # dies mid-send lets it lapse and the row is sent by the next run.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=200, unique=True, default=new_message_id)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "recipient", "channel", "notify_round"],
                name="one_notification_per_alert_recipient_channel_round",
            ),
            # Two sweeps racing (or one run twice) write one reminder, not two.
            models.UniqueConstraint(
                fields=["recipient", "kind", "reminder_date"],
                condition=Q(alert__isnull=True),
                name="one_reminder_per_recipient_kind_local_date",
            ),
            models.CheckConstraint(
                condition=Q(alert__isnull=True, reminder_date__isnull=False)
                | Q(alert__isnull=False, reminder_date__isnull=True),
                name="notification_is_for_an_alert_or_a_reminder",
            ),
        ]
        indexes = [
            # The sender's scan: due pending rows only (a partial index stays small).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="alerts_notification_due",
            ),
            models.Index(fields=["status", "created_at"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Notification {self.pk} ({self.channel}, {self.kind}, {self.status})"
