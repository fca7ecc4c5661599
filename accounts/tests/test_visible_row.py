"""accounts.access.visible_row_or_404: one fetch-or-404 in front of every patient row."""

from datetime import date

import pytest
from django.http import Http404
from django.test import RequestFactory

from accounts.access import visible_row_or_404
from accounts.models import AuditEvent
from journal.models import DailyEntry
from journal.tests.helpers import VALID_ENTRY

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(pat):
    return DailyEntry.objects.create(patient=pat, date=date(2026, 1, 5), **VALID_ENTRY)


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def fetch(user, pk, **kwargs):
    return visible_row_or_404(request_as(user), DailyEntry.objects.all(), pk, **kwargs)


@pytest.mark.parametrize("who", ["pat", "cleo"])
def test_it_returns_the_row_to_who_may_see_the_patient(personas, entry, who):
    assert fetch(personas[who], entry.pk) == entry


@pytest.mark.parametrize("who", ["sam", "uma", "rex", "val", "ada"])
def test_it_answers_404_to_everyone_else(personas, entry, who):
    with pytest.raises(Http404):
        fetch(personas[who], entry.pk, audit="test.read")
    assert not AuditEvent.objects.filter(action="test.read").exists()


@pytest.mark.parametrize("pk", ["abc", None, "1.5", "", 999999])
def test_it_answers_404_for_a_malformed_or_missing_id(pat, entry, pk):
    with pytest.raises(Http404):
        fetch(pat, pk)


def test_it_audits_a_clinicians_read(cleo, pat, entry):
    fetch(cleo, entry.pk, audit="test.read")
    event = AuditEvent.objects.get(action="test.read")
    assert (event.patient_id, event.object_type, event.object_id) == (
        pat.pk,
        "DailyEntry",
        str(entry.pk),
    )


def test_it_does_not_audit_the_patients_own_read_or_an_unaudited_fetch(cleo, pat, entry):
    fetch(pat, entry.pk, audit="test.read")
    fetch(cleo, entry.pk)
    assert not AuditEvent.objects.exists()


def test_it_costs_one_query_and_brings_the_patient(cleo, entry, django_assert_num_queries):
    with django_assert_num_queries(1):
        row = fetch(cleo, entry.pk)
        assert row.patient.email == "pat@example.com"
