from django.core.management import call_command

from accounts.access import patients_visible_to
from accounts.models import CareLink, User


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    counts = {model.__name__: model.objects.count() for model in (User, CareLink)}
    call_command("seed_demo")
    assert {model.__name__: model.objects.count() for model in (User, CareLink)} == counts
    clinician = User.objects.get(email="clinician@example.org")
    patient = User.objects.get(email="patient@example.org")
    assert patient in patients_visible_to(clinician)
    assert patient.check_password("portal-demo-2026")
    assert User.objects.get(email="admin@example.org").is_superuser
