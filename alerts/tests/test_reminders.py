"""Patients' reminders (alerts/reminders.py): when they fall due across time zones and DST,
once only, never after the day's check-in, questionnaires at 14/30 days, and e-mails without
health details. The clock is passed in (`now=`) or frozen; the mail backend is Django's locmem.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from accounts.models import NotificationPreference, PatientProfile
from alerts import outbox, reminders, tasks
from alerts.models import Notification, NotificationKind, NotificationStatus
from conftest import make_patient
from journal.models import DailyEntry, QuestionnaireResponse
from tests.builders import course

pytestmark = [pytest.mark.django_db, pytest.mark.clock]

CHECKIN = NotificationKind.CHECKIN_REMINDER


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


# --- the instant a reminder falls due -------------------------------------------------------


@pytest.mark.parametrize(
    ("zone_name", "day", "at", "expected"),
    [
        # Ordinary days on either side of the date line.
        ("Pacific/Kiritimati", date(2026, 6, 15), time(8), utc(2026, 6, 14, 18)),  # UTC+14
        ("Pacific/Pago_Pago", date(2026, 6, 15), time(8), utc(2026, 6, 15, 19)),  # UTC-11
        ("Pacific/Pago_Pago", date(2026, 6, 15), time(20), utc(2026, 6, 16, 7)),
        ("UTC", date(2026, 6, 15), time(0), utc(2026, 6, 15, 0)),
        # New York, the day before spring forward (EST) and the day itself.
        ("America/New_York", date(2026, 3, 7), time(8), utc(2026, 3, 7, 13)),
        ("America/New_York", date(2026, 3, 8), time(8), utc(2026, 3, 8, 12)),
        ("America/New_York", date(2026, 3, 8), time(1, 59), utc(2026, 3, 8, 6, 59)),
        # 02:00-02:59 does not exist on 8 March 2026: the next valid instant is 03:00 EDT.
        ("America/New_York", date(2026, 3, 8), time(2, 0), utc(2026, 3, 8, 7)),
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),
        ("America/New_York", date(2026, 3, 8), time(3, 0), utc(2026, 3, 8, 7)),
        # Fall back, 1 November 2026: 01:30 happens twice; the first (EDT) counts.
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        ("America/New_York", date(2026, 11, 1), time(8), utc(2026, 11, 1, 13)),
        # Sydney: DST ends 5 April 2026 (02:30 twice), starts 4 October 2026 (02:30 missing).
        ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30)),
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16)),
        ("Australia/Sydney", date(2026, 7, 1), time(20), utc(2026, 7, 1, 10)),
        ("Australia/Sydney", date(2026, 1, 15), time(20), utc(2026, 1, 15, 9)),
        # Samoa skipped 30 December 2011 entirely: that day's reminder comes at 31 Dec 00:00.
        ("Pacific/Apia", date(2011, 12, 30), time(8), utc(2011, 12, 30, 10)),
    ],
)
def test_reminder_instant(zone_name, day, at, expected):
    assert reminders.reminder_instant(day, at, zone(zone_name)) == expected


@pytest.mark.parametrize(
    ("zone_name", "now", "expected_day"),
    [
        # 08:00 in Kiritimati on 15 June is 18:00 UTC on the 14th.
        ("Pacific/Kiritimati", utc(2026, 6, 14, 17, 59), None),
        ("Pacific/Kiritimati", utc(2026, 6, 14, 18, 0), date(2026, 6, 15)),
        ("Pacific/Kiritimati", utc(2026, 6, 14, 20, 59), date(2026, 6, 15)),
        ("Pacific/Kiritimati", utc(2026, 6, 14, 21, 0), None),  # past the late limit
        ("Pacific/Pago_Pago", utc(2026, 6, 15, 18, 59), None),
        ("Pacific/Pago_Pago", utc(2026, 6, 15, 19, 0), date(2026, 6, 15)),
    ],
)
def test_reminder_day_is_the_local_day_whose_time_has_come(zone_name, now, expected_day):
    assert reminders.reminder_day(time(8), zone(zone_name), now) == expected_day


def test_a_reminder_just_before_midnight_is_still_sent_just_after_it():
    # 23:58 in New York; the sweep runs at 00:01 the next local day.
    now = utc(2026, 6, 16, 4, 1)  # 00:01 EDT on 16 June
    assert reminders.reminder_day(time(23, 58), zone("America/New_York"), now) == date(2026, 6, 15)


# --- the sweep -------------------------------------------------------------------------------


def patient_with_reminder(email="rita@example.com", tz="America/New_York", at=time(8), **prefs):
    patient = make_patient(email, "Rita Reminder", tz=tz)
    NotificationPreference.objects.create(
        user=patient, checkin_reminder=True, checkin_reminder_time=at, **prefs
    )
    return patient


def entry(patient, day: date, notes: str = "") -> DailyEntry:
    return DailyEntry.objects.create(
        patient=patient,
        date=day,
        pain=5,
        fatigue=5,
        sleep_quality=5,
        cognition=5,
        mood=5,
        notes=notes,
    )


def reminder_rows(patient, kind=CHECKIN) -> list[date | None]:
    return list(
        Notification.objects.filter(recipient=patient, kind=kind)
        .order_by("reminder_date")
        .values_list("reminder_date", flat=True)
    )


def sweep_every_five_minutes(start: datetime, end: datetime) -> list[datetime]:
    """Run the beat task every 5 minutes from start to end; the instants that added a row."""
    added = []
    moment = start
    while moment <= end:
        if reminders.reminders_queue(now=moment):
            added.append(moment)
        moment += timedelta(minutes=5)
    return added


@pytest.mark.parametrize(
    ("zone_name", "at", "start", "expected_sent", "expected_day"),
    [
        # A whole UTC day of sweeps: each finds the reminder once, at the local time.
        (
            "Pacific/Kiritimati",
            time(8),
            utc(2026, 6, 14, 0),
            utc(2026, 6, 14, 18),
            date(2026, 6, 15),
        ),
        (
            "Pacific/Pago_Pago",
            time(8),
            utc(2026, 6, 15, 0),
            utc(2026, 6, 15, 19),
            date(2026, 6, 15),
        ),
        ("Australia/Sydney", time(20), utc(2026, 7, 1, 0), utc(2026, 7, 1, 10), date(2026, 7, 1)),
        # Spring forward: 02:30 does not exist; sent at 03:00 EDT (07:00 UTC).
        ("America/New_York", time(2, 30), utc(2026, 3, 8, 0), utc(2026, 3, 8, 7), date(2026, 3, 8)),
        # Fall back: 01:30 happens twice; one reminder, at the first.
        (
            "America/New_York",
            time(1, 30),
            utc(2026, 11, 1, 0),
            utc(2026, 11, 1, 5, 30),
            date(2026, 11, 1),
        ),
        (
            "Australia/Sydney",
            time(2, 30),
            utc(2026, 4, 4, 12),
            utc(2026, 4, 4, 15, 30),
            date(2026, 4, 5),
        ),
        (
            "Australia/Sydney",
            time(2, 30),
            utc(2026, 10, 3, 12),
            utc(2026, 10, 3, 16),
            date(2026, 10, 4),
        ),
    ],
)
def test_sweeps_across_a_day_write_one_reminder_at_the_local_time(
    zone_name, at, start, expected_sent, expected_day
):
    patient = patient_with_reminder(tz=zone_name, at=at)
    added = sweep_every_five_minutes(start, start + timedelta(hours=23, minutes=55))
    assert added == [expected_sent]
    assert reminder_rows(patient) == [expected_day]


def test_running_the_sweep_twice_writes_one_row():
    patient = patient_with_reminder()
    now = utc(2026, 6, 15, 12, 5)  # 08:05 EDT
    assert reminders.reminders_queue(now=now) == 1
    assert reminders.reminders_queue(now=now) == 0
    assert reminders.reminders_queue(now=now + timedelta(minutes=5)) == 0
    assert reminder_rows(patient) == [date(2026, 6, 15)]


def test_no_reminder_when_the_local_days_checkin_is_saved():
    # Pago Pago 20:00 on 15 June is 07:00 UTC on the 16th: the local day is the 15th.
    patient = patient_with_reminder(tz="Pacific/Pago_Pago", at=time(20))
    other = patient_with_reminder(email="otto@example.com", tz="Pacific/Pago_Pago", at=time(20))
    entry(patient, date(2026, 6, 15))
    entry(other, date(2026, 6, 16))  # the UTC date, not the patient's
    reminders.reminders_queue(now=utc(2026, 6, 16, 7, 0))
    assert reminder_rows(patient) == []
    assert reminder_rows(other) == [date(2026, 6, 15)]


def test_a_checkin_saved_after_queueing_cancels_the_email(mailoutbox):
    patient = patient_with_reminder()
    now = utc(2026, 6, 15, 12, 5)
    reminders.reminders_queue(now=now)
    entry(patient, date(2026, 6, 15))
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        report = outbox.send_pending_notifications()
    assert (report.sent, report.cancelled) == (0, 1)
    assert mailoutbox == []
    assert Notification.objects.get(recipient=patient).status == NotificationStatus.CANCELLED


def test_reminders_are_off_by_default_and_only_for_active_patients():
    make_patient("quiet@example.com", "Quiet Patient")  # no preference row
    patient_with_reminder(email="off@example.com")
    NotificationPreference.objects.filter(user__email="off@example.com").update(
        checkin_reminder=False
    )
    gone = patient_with_reminder(email="gone@example.com")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert reminders.reminders_queue(now=utc(2026, 6, 15, 12, 5)) == 0


def test_changing_the_time_zone_moves_the_reminder():
    patient = patient_with_reminder(tz="America/New_York")
    PatientProfile.objects.filter(user=patient).update(timezone="Australia/Sydney")
    assert reminders.reminders_queue(now=utc(2026, 6, 15, 12, 5)) == 0  # 22:05 in Sydney
    assert reminders.reminders_queue(now=utc(2026, 6, 15, 22, 5)) == 1  # 08:05 on the 16th
    assert reminder_rows(patient) == [date(2026, 6, 16)]


# --- questionnaires --------------------------------------------------------------------------


def questionnaire_patient(tz="America/New_York"):
    patient = make_patient("quinn@example.com", "Quinn Q", tz=tz)
    NotificationPreference.objects.create(user=patient, questionnaire_reminders=True)
    return patient


def completed(patient, instrument: str, at: datetime) -> None:
    QuestionnaireResponse.objects.create(
        patient=patient, instrument=instrument, answers={}, score={"total": 27}, completed_at=at
    )


def at_nine_local(day: date, tz="America/New_York") -> datetime:
    return datetime.combine(day, time(9, 5), tzinfo=zone(tz)).astimezone(UTC)


@pytest.mark.parametrize(
    ("instrument", "kind", "days_after", "due"),
    [
        ("phq9", NotificationKind.PHQ9_DUE, 13, False),
        ("phq9", NotificationKind.PHQ9_DUE, 14, True),
        ("fiqr", NotificationKind.FIQR_DUE, 29, False),
        ("fiqr", NotificationKind.FIQR_DUE, 30, True),
    ],
)
def test_questionnaire_due_at_14_and_30_days(instrument, kind, days_after, due):
    patient = questionnaire_patient()
    # 23:30 in New York on 1 June is 03:30 UTC on 2 June: the local day (1 June) counts.
    completed(patient, instrument, utc(2026, 6, 2, 3, 30))
    day = date(2026, 6, 1) + timedelta(days=days_after)
    reminders.reminders_queue(now=at_nine_local(day))
    assert reminder_rows(patient, kind) == ([day] if due else [])


def test_a_due_questionnaire_is_reminded_once_per_due_date():
    patient = questionnaire_patient()
    completed(patient, "phq9", utc(2026, 6, 1, 15))
    for offset in (14, 15, 16):
        reminders.reminders_queue(now=at_nine_local(date(2026, 6, 1) + timedelta(days=offset)))
    assert reminder_rows(patient, NotificationKind.PHQ9_DUE) == [date(2026, 6, 15)]


def test_a_questionnaire_never_filled_in_is_not_reminded():
    patient = questionnaire_patient()
    reminders.reminders_queue(now=at_nine_local(date(2026, 6, 15)))
    assert Notification.objects.filter(recipient=patient).count() == 0


def test_a_questionnaire_filled_in_before_sending_cancels_its_reminder(mailoutbox):
    patient = questionnaire_patient()
    completed(patient, "phq9", utc(2026, 6, 1, 15))
    now = at_nine_local(date(2026, 6, 15))
    assert reminders.reminders_queue(now=now) == 1
    completed(patient, "phq9", now)
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        assert outbox.send_pending_notifications().cancelled == 1
    assert mailoutbox == []


def test_questionnaire_reminders_use_the_checkin_time_when_set():
    patient = questionnaire_patient()
    NotificationPreference.objects.filter(user=patient).update(checkin_reminder_time=time(19))
    completed(patient, "phq9", utc(2026, 6, 1, 15))
    assert reminders.reminders_queue(now=at_nine_local(date(2026, 6, 15))) == 0
    evening = datetime(2026, 6, 15, 19, 1, tzinfo=zone("America/New_York"))
    assert reminders.reminders_queue(now=evening) == 1


# --- the e-mail ------------------------------------------------------------------------------

CANARY = "Zqcanary4471"


def test_the_email_has_no_health_details(mailoutbox):
    patient = patient_with_reminder(questionnaire_reminders=True)
    entry(patient, date(2026, 6, 1), notes=f"{CANARY} my notes")
    completed(patient, "phq9", utc(2026, 6, 1, 15))
    completed(patient, "fiqr", utc(2026, 5, 16, 15))
    course(patient, "sertraline", date(2026, 5, 1))
    course(patient, f"{CANARY}med", date(2026, 5, 1))
    now = utc(2026, 6, 15, 12, 5)  # 08:05 EDT: check-in, PHQ-9 (14 d) and FIQR (30 d) due
    assert reminders.reminders_queue(now=now) == 3
    with time_machine.travel(now, tick=False):
        assert outbox.send_pending_notifications().sent == 3
    assert len(mailoutbox) == 3
    for mail in mailoutbox:
        text = " ".join(
            [
                mail.subject,
                mail.body,
                *mail.to,
                *(f"{k}: {v}" for k, v in mail.extra_headers.items()),
            ]
        ).lower()
        for forbidden in (CANARY.lower(), "sertraline", "phq", "fiqr", "depress", "pain", "mood"):
            assert forbidden not in text, forbidden
        assert mail.to == ["rita@example.com"]
        assert "/account/unsubscribe/" in mail.body
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert mail.extra_headers["List-Unsubscribe"].startswith("<http")
    subjects = sorted(mail.subject for mail in mailoutbox)
    assert subjects == [
        "A questionnaire is ready for you",
        "A questionnaire is ready for you",
        "Time for your check-in",
    ]


def test_the_beat_task_queues_and_the_outbox_sends(mailoutbox):
    patient_with_reminder()
    with time_machine.travel(utc(2026, 6, 15, 12, 5), tick=False):
        assert tasks.queue_patient_reminders() == 1
        assert tasks.send_pending_notifications() == 1
        assert tasks.queue_patient_reminders() == 0
        assert tasks.send_pending_notifications() == 0
    assert len(mailoutbox) == 1


def test_a_reminder_turned_off_before_sending_is_cancelled(mailoutbox):
    patient = patient_with_reminder()
    now = utc(2026, 6, 15, 12, 5)
    reminders.reminders_queue(now=now)
    NotificationPreference.objects.filter(user=patient).update(checkin_reminder=False)
    with time_machine.travel(now, tick=False):
        assert outbox.send_pending_notifications().cancelled == 1
    assert mailoutbox == []


def test_a_reminder_held_up_past_the_late_limit_is_not_sent(mailoutbox):
    patient_with_reminder()
    now = utc(2026, 6, 15, 12, 5)
    reminders.reminders_queue(now=now)
    with time_machine.travel(
        now + reminders.REMINDER_LATE_LIMIT + timedelta(minutes=1), tick=False
    ):
        assert outbox.send_pending_notifications().cancelled == 1
    assert mailoutbox == []
