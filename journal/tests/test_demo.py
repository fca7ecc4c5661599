from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.demo import seed_accounts
from journal import demo
from journal.models import DailyEntry, QuestionnaireResponse
from journal.selectors import patient_today

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = [pytest.mark.clock, pytest.mark.django_db]


def test_demo_seed_is_realistic_and_idempotent():
    users = seed_accounts()
    today = timezone.localdate()
    demo.seed(users=users, today=today)
    demo.seed(users=users, today=today)  # a second run adds nothing
    main, second = users["patient"], users["patient2"]
    local_today = min(today, patient_today(main))

    entries = list(DailyEntry.objects.filter(patient=main).order_by("date"))
    assert len(entries) == 90
    assert entries[-1].date == local_today - timedelta(days=1)  # today is left for the user
    assert not any(entry.self_harm_thoughts for entry in entries)
    assert all(5 <= entry.pain <= 7 for entry in entries)
    early = [e.mood for e in entries[:60]]
    last_week = [e.mood for e in entries[-7:]]
    assert sum(early) / len(early) >= 5
    assert sum(last_week) / len(last_week) <= 3.5

    phq9 = list(
        QuestionnaireResponse.objects.filter(patient=main, instrument="phq9").order_by(
            "completed_at"
        )
    )
    totals = [response.score["total"] for response in phq9]
    assert totals == [7, 8, 8, 9, 11, 16, 21]
    assert all(response.score["item9"] == 0 for response in phq9)
    assert QuestionnaireResponse.objects.filter(patient=main, instrument="fiqr").count() == 3
    assert QuestionnaireResponse.objects.filter(patient=main, instrument="acr2016").count() == 1

    assert DailyEntry.objects.filter(patient=second).count() == 30
