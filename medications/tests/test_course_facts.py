"""course_facts / courses_facts: dose-change direction and continued courses, never a query."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medications.black_box import DOSE_CHANGE_UNKNOWN, DOSE_DECREASE, DOSE_INCREASE
from medications.catalog import course_facts, courses_facts
from medications.models import MedicationCourse
from tests.builders import course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [(100, 50, DOSE_DECREASE), (50, 100, DOSE_INCREASE), (50, None, DOSE_CHANGE_UNKNOWN)],
)
def test_courses_facts_links_dose_changes_within_the_list(pat, first, second, expected):
    old = course(pat, "sertraline", date(2026, 1, 1), date(2026, 3, 31), dose=first)
    course(pat, "sertraline", date(2026, 4, 1), dose=second, previous=old)
    rows = list(MedicationCourse.objects.filter(patient=pat).select_related("drug"))
    with CaptureQueriesContext(connection) as queries:
        facts = {f.started_on: f for f in courses_facts(rows)}
    assert len(queries) == 0
    assert facts[date(2026, 1, 1)].dose_change is None
    assert facts[date(2026, 1, 1)].continued is True  # its end is the dose change, not a stop
    assert facts[date(2026, 4, 1)].dose_change == expected
    assert facts[date(2026, 4, 1)].continued is False


def test_course_facts_alone_uses_loaded_relations_or_stays_unknown(pat):
    old = course(pat, "sertraline", date(2026, 1, 1), date(2026, 3, 31), dose=Decimal("100"))
    new = course(pat, "sertraline", date(2026, 4, 1), dose=Decimal("50"), previous=old)
    plain = MedicationCourse.objects.select_related("drug").get(pk=new.pk)
    loaded = MedicationCourse.objects.select_related("drug", "previous_course").get(pk=new.pk)
    with CaptureQueriesContext(connection) as queries:
        assert course_facts(plain).dose_change == DOSE_CHANGE_UNKNOWN
        assert course_facts(loaded).dose_change == DOSE_DECREASE
        # Without a loaded next course the end counts as a stop (the black-box window's safe side).
        assert (
            course_facts(MedicationCourse.objects.select_related("drug").get(pk=old.pk)).continued
            is False
        )
    assert len(queries) == 1  # only the .get() inside the block
