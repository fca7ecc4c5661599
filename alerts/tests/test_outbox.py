"""The notification outbox (alerts/outbox.py): no clinician email is lost.

Rows are written with the alert; `send_pending_notifications` (the beat task, called here as a
plain function on a frozen clock) sends them. The mail server is the one thing mocked
(alerts/tests/smtp.py). Concurrency and the real broker/worker: test_outbox_concurrency.py and
test_outbox_worker.py.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import CareLink, CareLinkStatus
from alerts import outbox, tasks
from alerts.models import Alert, AlertEvent, Notification
from alerts.services import alert_acknowledge, alert_resolve, sync_alerts
from alerts.tests.factories import NOW, course, entry, m5_history, phq9
from alerts.tests.smtp import PATH, FlakyBackend
from conftest import link

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = PATH
    FlakyBackend.reset()
    yield FlakyBackend
    FlakyBackend.reset()


def critical_alert(patient) -> Alert:
    entry(patient, 0, self_harm_thoughts=True)
    sync_alerts(patient)
    return Alert.objects.get(patient=patient)


def beat() -> int:
    """What Celery beat runs every minute."""
    return tasks.send_pending_notifications()


def sent_pairs(mailoutbox) -> list[tuple[int | None, str]]:
    """(alert id, recipient) of each email, found through its Message-ID."""
    by_message_id = {n.message_id: n for n in Notification.objects.select_related("recipient")}
    pairs = []
    for mail in mailoutbox:
        row = by_message_id[mail.extra_headers["Message-ID"]]
        assert mail.to == [row.recipient.email]
        pairs.append((row.alert_id, row.recipient.email))
    return sorted(pairs)


# --- rows are written with the alert -------------------------------------------------------


def test_one_pending_row_per_linked_verified_clinician_written_with_the_alert(personas):
    pat = personas["pat"]  # linked: Cleo (verified), Val (unverified); Rex revoked; Uma none
    entry(pat, 0, self_harm_thoughts=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        sync_alerts(pat)
        assert Notification.objects.count() == 1
        raise RuntimeError("the evaluation's transaction rolls back")
    assert not Alert.objects.exists()
    assert not Notification.objects.exists()  # nothing to send for an alert that never was

    sync_alerts(pat)
    row = Notification.objects.get()
    assert (row.alert, row.recipient, row.channel) == (
        Alert.objects.get(),
        personas["cleo"],
        "email",
    )
    assert (row.kind, row.notify_round, row.status, row.attempts) == ("initial", 1, "pending", 0)
    assert row.next_attempt_at == NOW and row.created_at == NOW
    assert row.message_id.startswith("<alert-notification.") and row.message_id.endswith(">")


def test_a_redelivered_evaluation_writes_one_row_per_alert_and_recipient(pat, cleo, mailoutbox):
    entry(pat, 0, self_harm_thoughts=True)
    for _ in range(3):  # the same task delivered three times
        tasks.evaluate_patient.delay(pat.pk).get()
    assert Notification.objects.count() == 1
    assert beat() == 1
    assert beat() == 0
    assert len(mailoutbox) == 1


def test_the_database_refuses_a_second_row_for_the_same_alert_recipient_and_round(pat, cleo):
    row = Notification.objects.get(alert=critical_alert(pat))
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            alert=row.alert, recipient=cleo, channel="email", kind="initial", notify_round=1
        )
    # A new round (an escalation) is a new row.
    Notification.objects.create(alert=row.alert, recipient=cleo, kind="escalation", notify_round=2)


def test_an_escalation_adds_a_row_for_the_new_round(pat, cleo, mailoutbox):
    m5_history(pat)  # M5 moderate
    sync_alerts(pat)
    alert = Alert.objects.get(patient=pat)
    assert beat() == 1
    alert_acknowledge(alert=alert, actor=cleo)
    phq9(pat, -30, 9)
    phq9(pat, 0, 16)  # M2: high
    sync_alerts(pat)
    assert beat() == 1
    rows = Notification.objects.filter(alert=alert).order_by("notify_round")
    assert [(n.kind, n.notify_round, n.status) for n in rows] == [
        ("initial", 1, "sent"),
        ("escalation", 2, "sent"),
    ]
    assert sent_pairs(mailoutbox) == [(alert.pk, "cleo@example.com")] * 2


# --- sending --------------------------------------------------------------------------------


def test_a_sent_row_carries_its_message_id_and_no_health_data(pat, cleo, mailoutbox):
    course(pat, "sertraline", -30)
    course(pat, "tramadol", -1)
    entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)
    assert beat() == 2
    rows = list(Notification.objects.order_by("id"))
    assert [r.status for r in rows] == ["sent", "sent"]
    assert all(r.sent_at == NOW and r.attempts == 1 and r.claimed_until is None for r in rows)
    assert {m.message()["Message-ID"] for m in mailoutbox} == {r.message_id for r in rows}
    for mail in mailoutbox:
        assert mail.subject == "A patient needs review"
        assert "/clinician/alerts/" in mail.body
        text = (mail.subject + mail.body).lower()
        for secret in ("sertraline", "tramadol", "pat patient", "pat@example", "harm", "seroton"):
            assert secret not in text
    # The alert's timeline records who was told, once per round.
    notified = AlertEvent.objects.filter(kind="notified").values_list("alert_id", "actor_id")
    assert sorted(notified) == sorted((r.alert_id, cleo.pk) for r in rows)


def test_smtp_down_for_ten_minutes_then_back_one_email_per_alert_and_clinician(
    pat, cleo, uma, smtp, mailoutbox, clock, django_capture_on_commit_callbacks
):
    link(pat, uma)  # two verified clinicians
    course(pat, "sertraline", -30)
    course(pat, "tramadol", -1)
    entry(pat, 0, self_harm_thoughts=True)
    smtp.down = True
    with django_capture_on_commit_callbacks(execute=True):  # the prompt send fails too
        sync_alerts(pat)
    alert_ids = sorted(Alert.objects.values_list("pk", flat=True))
    assert len(alert_ids) == 2
    assert Notification.objects.filter(status="pending").count() == 4
    for minute in range(1, 31):  # beat, every minute, for half an hour
        clock.move_to(NOW + timedelta(minutes=minute))
        if minute == 10:
            smtp.down = False
        beat()
        if minute < 10:
            assert mailoutbox == []
    expected = sorted(
        (a, email) for a in alert_ids for email in ("cleo@example.com", "uma@example.com")
    )
    assert sent_pairs(mailoutbox) == expected  # exactly one each
    rows = Notification.objects.all()
    assert all(r.status == "sent" and r.attempts > 1 for r in rows)
    # Back within the backoff cap of the server's return.
    assert max(r.sent_at for r in rows) <= NOW + timedelta(minutes=10) + outbox.BACKOFF_MAX
    # Every attempt, refused or accepted, used the row's own Message-ID.
    assert set(smtp.attempts) == {r.message_id for r in rows}


def test_a_sender_killed_mid_send_leaves_a_lease_and_the_row_is_sent_once_after_it(
    pat, cleo, mailoutbox, clock
):
    row = Notification.objects.get(alert=critical_alert(pat))
    (claimed,) = outbox.claim_due()  # a worker claims the row, then is killed before sending
    assert claimed.pk == row.pk
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, NOW + outbox.LEASE)
    assert beat() == 0  # leased: no other sender touches it
    clock.move_to(NOW + outbox.LEASE - timedelta(seconds=1))
    assert beat() == 0
    clock.move_to(NOW + outbox.LEASE)
    assert beat() == 1
    assert beat() == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1


def test_a_sender_killed_after_the_server_accepted_sends_again_with_the_same_message_id(
    pat, cleo, mailoutbox, clock
):
    # At-least-once: the duplicate is recognisable by its Message-ID.
    critical_alert(pat)
    (claimed,) = outbox.claim_due()
    outbox.build_email(claimed).send()  # accepted; the worker dies before marking the row
    clock.move_to(NOW + outbox.LEASE)
    assert beat() == 1
    assert len(mailoutbox) == 2
    assert mailoutbox[0].message()["Message-ID"] == mailoutbox[1].message()["Message-ID"]


def test_a_run_out_of_time_gives_its_unsent_claims_back(pat, cleo, uma, mailoutbox):
    link(pat, uma)
    critical_alert(pat)
    report = outbox.send_pending_notifications(budget_seconds=-1)
    assert report.sent == 0
    assert Notification.objects.filter(claimed_until__isnull=True, attempts=0).count() == 2
    assert beat() == 2


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 15), (12, 15), (500, 15)],
)
def test_backoff_doubles_and_is_capped(attempts, minutes):
    assert outbox.backoff(attempts) == timedelta(minutes=minutes)


def test_a_failed_attempt_keeps_the_row_pending_with_backoff_and_an_error_without_health_data(
    pat, cleo, smtp
):
    smtp.down = True
    critical_alert(pat)
    assert beat() == 0
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.claimed_until) == ("pending", 1, None)
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error == "SMTPServerDisconnected"


def test_a_row_undeliverable_for_24_hours_becomes_failed_counted_in_healthz_and_listed_in_admin(
    pat, cleo, ada, smtp, clock, client, client_for
):
    smtp.down = True
    row = Notification.objects.get(alert=critical_alert(pat))
    runs = 0
    while row.status == "pending":
        clock.move_to(max(row.next_attempt_at, timezone.now()))
        beat()
        runs += 1
        row.refresh_from_db()
        assert runs < 500
    # Retried with capped backoff until at least 24 hours after the row was written.
    assert row.status == "failed"
    assert timezone.now() >= row.created_at + timedelta(hours=24)
    assert timezone.now() < row.created_at + timedelta(hours=24) + outbox.BACKOFF_MAX
    assert row.attempts == runs and runs > 90
    assert row.last_error == "SMTPServerDisconnected"
    assert beat() == 0  # a failed row is never sent again by itself

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["notifications_failed"] == 1

    admin = client_for(ada)
    change_url = f"/admin/alerts/notification/{row.pk}/change/"
    failed = admin.get("/admin/alerts/notification/?status__exact=failed")
    assert failed.status_code == 200 and change_url in failed.content.decode()
    sent = admin.get("/admin/alerts/notification/?status__exact=sent")
    assert sent.status_code == 200 and change_url not in sent.content.decode()
    assert admin.get(change_url).status_code == 200


def test_healthz_counts_no_failed_notifications_normally(client):
    assert client.get("/healthz").json()["notifications_failed"] == 0


def _resolve(alert, cleo, pat):
    alert_resolve(alert=alert, actor=cleo, note="Called the patient.")


def _revoke(alert, cleo, pat):
    CareLink.objects.filter(patient=pat, clinician=cleo).update(status=CareLinkStatus.REVOKED)


def _deactivate(alert, cleo, pat):
    cleo.is_active = False
    cleo.save(update_fields=["is_active"])


@pytest.mark.parametrize("change", [_resolve, _revoke, _deactivate])
def test_a_row_no_longer_wanted_when_its_turn_comes_is_cancelled_not_sent(
    pat, cleo, mailoutbox, change
):
    alert = critical_alert(pat)
    change(alert, cleo, pat)
    assert beat() == 0
    assert Notification.objects.get().status == "cancelled"
    assert mailoutbox == []
    assert outbox.failed_count() == 0


def test_the_admin_retries_a_failed_row_once_more_now(pat, cleo, ada, smtp, clock, client_for):
    smtp.down = True
    row = Notification.objects.get(alert=critical_alert(pat))
    Notification.objects.filter(pk=row.pk).update(status="failed", last_error="SMTPConnectError")
    clock.move_to(NOW + timedelta(hours=30))
    smtp.down = False  # the mail server was fixed
    admin = client_for(ada)
    response = admin.post(
        "/admin/alerts/notification/",
        {"action": "retry_now", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 failed notification(s) will be sent again now." in response.content.decode()
    assert beat() == 1
    row.refresh_from_db()
    assert (row.status, row.sent_at) == ("sent", NOW + timedelta(hours=30))


def test_a_retried_row_that_fails_again_is_failed_again_at_once(pat, cleo, smtp, clock):
    smtp.down = True
    row = Notification.objects.get(alert=critical_alert(pat))
    Notification.objects.filter(pk=row.pk).update(status="failed")
    clock.move_to(NOW + timedelta(hours=30))
    assert outbox.retry_failed([row.pk]) == 1
    assert outbox.retry_failed([row.pk]) == 0  # already pending
    beat()
    row.refresh_from_db()
    assert row.status == "failed"
