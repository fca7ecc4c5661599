from datetime import date

import pytest

from accounts.demo import seed_accounts
from medications import demo
from medications.models import MedicationCourse
from medications.selectors import patient_assessment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 27)


def test_the_demo_shows_a_major_and_a_washout_contraindicated_combination():
    users = seed_accounts()
    demo.seed(users=users, today=TODAY)

    jordan = patient_assessment(users["patient"], on=TODAY)
    assert jordan.severity == "major"
    assert [(f.drugs, f.rule) for f in jordan.findings] == [
        (("duloxetine", "tramadol"), "strong_strong")
    ]
    riley = patient_assessment(users["patient2"], on=TODAY)
    assert riley.severity == "contraindicated"
    (finding,) = riley.findings
    assert finding.drugs == ("fluoxetine", "phenelzine")
    assert "fluoxetine stopped 2026-10-30; its 35-day washout runs to 2026-12-03" in (
        finding.explanation
    )
    duloxetine = MedicationCourse.objects.get(patient=users["patient"], dose=60)
    assert duloxetine.previous_course.dose == 30


def test_seeding_twice_creates_nothing_new():
    users = seed_accounts()
    demo.seed(users=users, today=TODAY)
    before = list(MedicationCourse.objects.order_by("id").values_list("id", "stopped_on"))
    demo.seed(users=users, today=TODAY)
    after = list(MedicationCourse.objects.order_by("id").values_list("id", "stopped_on"))
    assert after == before
    assert len(after) == 6
