"""Two senders at once on PostgreSQL: SKIP LOCKED claims never hand the same row to both.

Transactional tests: each thread has its own database connection and sees committed rows.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from alerts import outbox
from alerts.models import Alert, Notification
from alerts.tests.smtp import PATH, FlakyBackend

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pending_rows(require_postgres, pat, cleo):
    """Twenty pending rows (one alert, rounds 1..20: as if re-notified twenty times)."""
    alert = Alert.objects.create(
        patient=pat,
        kind="suicidal_ideation",
        severity="critical",
        severity_rank=4,
        title="Needs review",
        dedupe_key="suicidal_ideation:test",
    )
    Notification.objects.bulk_create(
        Notification(alert=alert, recipient=cleo, kind="reminder", notify_round=n)
        for n in range(1, 21)
    )
    return list(Notification.objects.order_by("id").values_list("pk", flat=True))


def test_a_row_locked_by_another_claimer_is_skipped_not_waited_for(pending_rows):
    locked, done = threading.Event(), threading.Event()
    held: list[int] = []

    def other_sender_mid_claim():
        try:
            with transaction.atomic():
                held.extend(
                    Notification.objects.select_for_update()
                    .filter(pk__in=pending_rows[:5])
                    .values_list("pk", flat=True)
                )
                locked.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_sender_mid_claim)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        claimed = outbox.claim_due(limit=100)
        waited = time.monotonic() - started
    finally:
        done.set()
        thread.join()
    assert sorted(held) == pending_rows[:5]
    assert sorted(row.pk for row in claimed) == pending_rows[5:]  # the locked five skipped
    assert waited < 2.0  # skipped, not waited for


def test_two_concurrent_senders_never_send_the_same_row(pending_rows, settings, mailoutbox):
    settings.EMAIL_BACKEND = PATH
    FlakyBackend.reset()
    FlakyBackend.delay = 0.02  # a slow mail server widens the window for a double claim
    start = threading.Barrier(2)
    reports = []

    def sender():
        try:
            start.wait(10)
            reports.append(outbox.send_pending_notifications(batch_size=3))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    FlakyBackend.reset()
    message_ids = [mail.extra_headers["Message-ID"] for mail in mailoutbox]
    assert len(message_ids) == len(set(message_ids)) == 20  # each row once, none twice
    assert sum(report.sent for report in reports) == 20
    assert all(report.sent > 0 for report in reports)  # both took part
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}
