"""seed_demo: the demo clinician sees the demo patients' alerts; running it twice adds none."""

import pytest
from django.core.management import call_command

from accounts.models import User
from alerts.models import Alert, AlertEvent
from alerts.selectors import alerts_for_clinician

pytestmark = pytest.mark.django_db


def test_seed_demo_raises_the_demo_alerts_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    clinician = User.objects.get(role="clinician", email__startswith="clinician")
    kinds = set(alerts_for_clinician(clinician).values_list("kind", flat=True))
    assert "serotonergic_combination" in kinds
    assert "mood_worsening" in kinds
    assert "suicidal_ideation" not in kinds  # the demo never shows crisis alerts
    before = (Alert.objects.count(), AlertEvent.objects.exclude(kind="notified").count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Alert.objects.count(), AlertEvent.objects.exclude(kind="notified").count()) == before


def test_seed_demo_gives_each_patient_one_combination_alert_per_kind(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(2):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    unresolved = Alert.objects.filter(
        kind__in=["serotonergic_combination", "hypertensive_combination"]
    ).exclude(status="resolved")
    rows = list(unresolved.values_list("patient__email", "kind", "dedupe_key"))
    assert rows, "the demo shows combination alerts"
    assert len(rows) == len({(email, kind) for email, kind, _ in rows})
    assert all(key == kind for _, kind, key in rows)
    riley = [kind for email, kind, _ in rows if email.startswith("patient2")]
    assert riley.count("serotonergic_combination") == 1
