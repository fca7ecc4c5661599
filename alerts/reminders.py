"""Patients' reminder emails: the daily check-in and questionnaires that fell due.

Both are opt-in (accounts.models.NotificationPreference, off by default) and go out through the
same outbox as clinicians' alert emails (alerts/outbox.py): `reminders_queue()` (Celery beat,
every 5 minutes) writes one `Notification` row per reminder whose moment has come, and the
outbox sender delivers it with retries.

When (all in the patient's own time zone, PatientProfile.timezone):
- Check-in: on each local day at the chosen time, unless that day's check-in is saved.
- Questionnaires: PHQ-9 14 days and FIQR 30 days after the last one (journal/schedule.py),
  at the chosen check-in time (09:00 when none is set), once per due date. A questionnaire
  never filled in is not reminded (the home page shows it as due).

A reminder is due from the first instant the patient's wall clock shows its time on that local
date (`reminder_instant`): on a spring-forward day a time that does not exist (02:30 in New York)
is reached at the end of the gap (03:00); on a fall-back day the first of the two 01:30s counts.
It is queued at most REMINDER_LATE_LIMIT after that (a beat run lost in an outage never sends
"time for your check-in" at 3 a.m.), and the outbox cancels one that waited longer than that.

Each reminder is written once: the unique constraint on (recipient, kind, reminder_date) drops
the row a second run, or a concurrent worker, would add (INSERT ... ON CONFLICT DO NOTHING).

The email carries no health details: fixed wording, a link to the portal, and a signed one-click
unsubscribe link (page + RFC 8058 List-Unsubscribe-Post). It does not even name the
questionnaire (its name tells what it screens for).
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from accounts import account
from accounts.email_change import unsubscribe_link
from accounts.links import site_link
from accounts.models import NotificationPreference, Role, User
from alerts import signals
from alerts.models import Notification, NotificationChannel, NotificationKind
from core.timezones import UTC, zone_named
from journal.models import DailyEntry, QuestionnaireResponse
from journal.schedule import INTERVAL_DAYS

REMINDER_LATE_LIMIT = timedelta(hours=3)
QUESTIONNAIRE_DEFAULT_TIME = time(9, 0)

QUESTIONNAIRE_KINDS: dict[str, str] = {
    "phq9": NotificationKind.PHQ9_DUE,
    "fiqr": NotificationKind.FIQR_DUE,
}
INSTRUMENT_OF_KIND = {kind: instrument for instrument, kind in QUESTIONNAIRE_KINDS.items()}


def _wall(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def reminder_instant(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first instant (UTC) at which the wall clock in `zone` shows `at` on `day`, or, when
    that time does not exist there (a spring-forward gap), the first instant after the gap."""
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(earlier, zone) == wall:
        # Exists (fold=0 is the first of two on a fall-back day).
        return earlier
    # In a gap: the two readings of the offset bracket the transition; find its first second.
    low, high = sorted((earlier.astimezone(UTC), wall.replace(tzinfo=zone, fold=1).astimezone(UTC)))
    low_s, high_s = int(low.timestamp()), int(high.timestamp())
    while high_s - low_s > 1:
        middle = (low_s + high_s) // 2
        if _wall(datetime.fromtimestamp(middle, tz=UTC), zone) >= wall:
            high_s = middle
        else:
            low_s = middle
    return datetime.fromtimestamp(high_s, tz=UTC)


def reminder_day(at: time, zone: zoneinfo.ZoneInfo, now: datetime) -> date | None:
    """The patient's local date whose reminder moment (`at`) has come within the late limit at
    `now`; None when there is none (too early today, yesterday's too long ago)."""
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        instant = reminder_instant(day, at, zone)
        if instant <= now < instant + REMINDER_LATE_LIMIT:
            return day
    return None


@dataclass(frozen=True, slots=True)
class Due:
    patient_id: int
    kind: str
    reminder_date: date


def _preferences() -> list[NotificationPreference]:
    return list(
        NotificationPreference.objects.filter(
            user__role=Role.PATIENT, user__is_active=True, user__patient_profile__isnull=False
        )
        .filter(
            Q(checkin_reminder=True, checkin_reminder_time__isnull=False)
            | Q(questionnaire_reminders=True)
        )
        .select_related("user__patient_profile")
        .order_by("user_id")
    )


def _last_completed(patient_ids: Iterable[int]) -> dict[int, dict[str, datetime]]:
    latest: dict[int, dict[str, datetime]] = defaultdict(dict)
    rows = (
        QuestionnaireResponse.objects.filter(
            patient_id__in=list(patient_ids), instrument__in=list(QUESTIONNAIRE_KINDS)
        )
        .values("patient_id", "instrument")
        .annotate(latest=Max("completed_at"))
        .values_list("patient_id", "instrument", "latest")
    )
    for patient_id, instrument, completed_at in rows:
        latest[patient_id][instrument] = completed_at
    return latest


def questionnaire_due_on(
    completed_at: datetime | None, instrument: str, zone_name: str
) -> date | None:
    """The local date the next `instrument` is due; None when never filled in."""
    if completed_at is None:
        return None
    last_day = completed_at.astimezone(zone_named(zone_name)).date()
    return last_day + timedelta(days=INTERVAL_DAYS[instrument])


def reminders_due(*, now: datetime) -> list[Due]:
    """Every reminder whose moment has come at `now` (before the check-in filter)."""
    preferences = _preferences()
    questionnaire_patients = [p.user_id for p in preferences if p.questionnaire_reminders]
    last = _last_completed(questionnaire_patients)
    due: list[Due] = []
    for preference in preferences:
        zone_name = preference.user.patient_profile.timezone
        zone = zone_named(zone_name)
        if preference.checkin_reminder and preference.checkin_reminder_time is not None:
            day = reminder_day(preference.checkin_reminder_time, zone, now)
            if day is not None:
                due.append(Due(preference.user_id, NotificationKind.CHECKIN_REMINDER, day))
        if preference.questionnaire_reminders:
            at = preference.checkin_reminder_time or QUESTIONNAIRE_DEFAULT_TIME
            day = reminder_day(at, zone, now)
            if day is None:
                continue
            for instrument, kind in QUESTIONNAIRE_KINDS.items():
                due_on = questionnaire_due_on(
                    last.get(preference.user_id, {}).get(instrument), instrument, zone_name
                )
                if due_on is not None and due_on <= day:
                    due.append(Due(preference.user_id, kind, due_on))
    return due


def _checked_in(due: list[Due]) -> set[tuple[int, date]]:
    days = [
        (d.patient_id, d.reminder_date) for d in due if d.kind == NotificationKind.CHECKIN_REMINDER
    ]
    if not days:
        return set()
    query = Q()
    for patient_id, day in days:
        query |= Q(patient_id=patient_id, date=day)
    return set(DailyEntry.objects.filter(query).values_list("patient_id", "date"))


def reminders_queue(*, now: datetime | None = None) -> int:
    """Write the outbox rows for every reminder due now; returns how many it wrote.

    Safe to run twice or concurrently: the unique constraint keeps one row per reminder."""
    now = now or timezone.now()
    due = reminders_due(now=now)
    checked_in = _checked_in(due)
    wanted = [
        item
        for item in due
        if not (
            item.kind == NotificationKind.CHECKIN_REMINDER
            and (item.patient_id, item.reminder_date) in checked_in
        )
    ]
    if not wanted:
        return 0
    existing = set(
        Notification.objects.filter(
            alert__isnull=True,
            recipient_id__in={item.patient_id for item in wanted},
            reminder_date__in={item.reminder_date for item in wanted},
        ).values_list("recipient_id", "kind", "reminder_date")
    )
    rows = [
        Notification(
            alert=None,
            recipient_id=item.patient_id,
            channel=NotificationChannel.EMAIL,
            kind=item.kind,
            reminder_date=item.reminder_date,
            next_attempt_at=now,
            created_at=now,
        )
        for item in wanted
        if (item.patient_id, item.kind, item.reminder_date) not in existing
    ]
    if not rows:
        return 0
    with transaction.atomic():
        # A concurrent run may write the same rows between the read above and here: the
        # unique constraint keeps one (ON CONFLICT DO NOTHING), so the count may be high.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(lambda: signals.notifications_due.send(sender=Notification))
    return len(rows)


# --- at send time (alerts.outbox.deliver) --------------------------------------------------


def reminder_still_wanted(row: Notification, *, now: datetime | None = None) -> bool:
    """Send only if the patient still wants it and it still applies (no check-in saved since,
    questionnaire not filled in since) and it is not stale (the mail server was down)."""
    now = now or timezone.now()
    patient: User = row.recipient
    if row.reminder_date is None or not patient.is_active or patient.role != Role.PATIENT:
        return False
    if now > row.created_at + REMINDER_LATE_LIMIT:
        return False
    preference = NotificationPreference.objects.filter(user=patient).first()
    if preference is None:
        return False
    if row.kind == NotificationKind.CHECKIN_REMINDER:
        return (
            preference.checkin_reminder
            and not DailyEntry.objects.filter(patient=patient, date=row.reminder_date).exists()
        )
    instrument = INSTRUMENT_OF_KIND.get(row.kind)
    if instrument is None or not preference.questionnaire_reminders:
        return False
    latest = QuestionnaireResponse.objects.filter(patient=patient, instrument=instrument).aggregate(
        latest=Max("completed_at")
    )["latest"]
    profile = getattr(patient, "patient_profile", None)
    due_on = questionnaire_due_on(latest, instrument, getattr(profile, "timezone", "UTC"))
    return due_on is not None and due_on <= row.reminder_date


SUBJECTS: dict[str, str] = {
    NotificationKind.CHECKIN_REMINDER: gettext_noop("Time for your check-in"),
    NotificationKind.PHQ9_DUE: gettext_noop("A questionnaire is ready for you"),
    NotificationKind.FIQR_DUE: gettext_noop("A questionnaire is ready for you"),
}


def build_reminder_email(row: Notification) -> EmailMessage:
    """Fixed wording, a link, and the one-click unsubscribe link: no health details. In the
    patient's language (NotificationPreference.language)."""
    patient: User = row.recipient
    stop = unsubscribe_link(patient)
    with translation.override(account.preference_of(patient).language):
        if row.kind == NotificationKind.CHECKIN_REMINDER:
            lead = gettext(
                "It is time for your daily check-in in the Care portal. It takes about a minute."
            )
            link = site_link(reverse("journal:checkin"))
        else:
            lead = gettext("A questionnaire is ready for you in the Care portal.")
            link = site_link(reverse("journal:home"))
        body = (
            f"{lead}\n\n{link}\n\n"
            + gettext(
                "You receive this email because you turned on reminders. To stop them, open "
                "this link:"
            )
            + f"\n{stop}\n"
        )
        subject = gettext(SUBJECTS.get(row.kind, gettext_noop("A reminder from the Care portal")))
    return EmailMessage(
        subject=subject,
        body=body,
        to=[patient.email],
        headers={
            "Message-ID": row.message_id,
            "List-Unsubscribe": f"<{stop}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
