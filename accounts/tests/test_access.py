"""Every branch of accounts/access.py, with the personas of STYLE.md."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.access import access_patient, is_verified_clinician, patients_visible_to
from accounts.models import CareLinkStatus
from conftest import link, make_clinician


def visible_ids(user):
    return set(patients_visible_to(user).values_list("pk", flat=True))


def test_it_shows_a_patient_only_themself(personas):
    assert visible_ids(personas["pat"]) == {personas["pat"].pk}
    assert visible_ids(personas["sam"]) == {personas["sam"].pk}


def test_it_shows_a_linked_verified_clinician_the_patient(personas):
    assert visible_ids(personas["cleo"]) == {personas["pat"].pk}


@pytest.mark.parametrize("who", ["uma", "rex", "val", "ada"])
def test_it_hides_patients_from_everyone_else(personas, who):
    assert visible_ids(personas[who]) == set()


def test_it_hides_patients_from_anonymous_users(db):
    assert visible_ids(AnonymousUser()) == set()


def test_it_hides_patients_from_an_inactive_clinician(personas):
    cleo = personas["cleo"]
    cleo.is_active = False
    cleo.save(update_fields=["is_active"])
    assert visible_ids(cleo) == set()


def test_it_hides_an_inactive_patient(personas):
    pat = personas["pat"]
    pat.is_active = False
    pat.save(update_fields=["is_active"])
    assert visible_ids(personas["cleo"]) == set()


def test_it_ignores_a_pending_link(pat):
    clinician = make_clinician("pending@example.com", "Pending")
    link(pat, clinician, status=CareLinkStatus.PENDING)
    assert visible_ids(clinician) == set()


def test_verification_elsewhere_does_not_open_an_unverified_link(pat, sam):
    """Val is unverified; a verified clinician linked to Sam must not make Val's link count."""
    val = make_clinician("val2@example.com", "Val", verified=False)
    link(pat, val)
    other = make_clinician("other@example.com", "Other")
    link(sam, other)
    assert visible_ids(val) == set()


def test_a_revoked_link_then_relinked_shows_again(pat):
    clinician = make_clinician("again@example.com", "Again")
    link(pat, clinician, status=CareLinkStatus.REVOKED)
    assert visible_ids(clinician) == set()
    link(pat, clinician)
    assert visible_ids(clinician) == {pat.pk}


def test_access_patient_returns_the_patient_for_the_linked_clinician(personas):
    assert access_patient(personas["cleo"], personas["pat"].pk) == personas["pat"]
    assert access_patient(personas["pat"], str(personas["pat"].pk)) == personas["pat"]


@pytest.mark.parametrize("who", ["sam", "uma", "rex", "val", "ada"])
def test_access_patient_answers_404_to_everyone_else(personas, who):
    with pytest.raises(Http404):
        access_patient(personas[who], personas["pat"].pk)


@pytest.mark.parametrize("bad_id", [None, "", "abc", "1.5", "999999"])
def test_access_patient_answers_404_for_missing_or_malformed_ids(personas, bad_id):
    with pytest.raises(Http404):
        access_patient(personas["cleo"], bad_id)


def test_access_patient_uses_one_query(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        access_patient(personas["cleo"], personas["pat"].pk)


def test_is_verified_clinician(personas):
    assert is_verified_clinician(personas["cleo"])
    assert not is_verified_clinician(personas["val"])
    assert not is_verified_clinician(personas["pat"])
    assert not is_verified_clinician(AnonymousUser())


def _rows(user, query=""):
    from django.test import RequestFactory

    from accounts.access import patient_rows_for_request
    from journal.models import DailyEntry

    request = RequestFactory().get("/x" + query)
    request.user = user
    return patient_rows_for_request(request, DailyEntry.objects.all(), action="test.list")


@pytest.fixture
def entries(personas):
    from datetime import date

    from journal.models import DailyEntry

    scales = dict(pain=1, fatigue=1, sleep_quality=1, cognition=1, mood=5)
    return {
        who: DailyEntry.objects.create(patient=personas[who], date=date(2026, 1, 1), **scales)
        for who in ("pat", "sam")
    }


def test_scoped_rows_give_a_patient_only_their_own(personas, entries):
    assert list(_rows(personas["pat"])) == [entries["pat"]]
    with pytest.raises(Http404):
        list(_rows(personas["pat"], f"?patient={personas['sam'].pk}"))


def test_scoped_rows_give_a_clinician_linked_patients_and_audit_once(personas, entries):
    """?patient=ID is audited by the scope; a list across patients by audit_page_read, one row
    per patient on the page."""
    from django.test import RequestFactory

    from accounts.access import audit_page_read
    from accounts.models import AuditEvent

    cleo = personas["cleo"]
    assert list(_rows(cleo, f"?patient={personas['pat'].pk}")) == [entries["pat"]]
    assert AuditEvent.objects.filter(actor=cleo, action="test.list").count() == 1
    page = list(_rows(cleo))
    assert page == [entries["pat"]]
    assert AuditEvent.objects.filter(actor=cleo, action="test.list").count() == 1
    request = RequestFactory().get("/x")
    request.user = cleo
    audit_page_read(request, page, action="test.list")
    rows = AuditEvent.objects.filter(actor=cleo, action="test.list")
    assert sorted(rows.values_list("patient_id", flat=True)) == [personas["pat"].pk] * 2
    with pytest.raises(Http404):
        _rows(personas["cleo"], f"?patient={personas['sam'].pk}")


@pytest.mark.parametrize("who", ["uma", "rex", "val", "ada"])
def test_scoped_rows_give_others_nothing(personas, entries, who):
    assert list(_rows(personas[who])) == []


def test_an_anonymous_read_is_refused_by_the_audit_and_records_nothing(pat, rf):
    from django.core.exceptions import PermissionDenied

    from accounts.audit import audit_read, audit_reads
    from accounts.models import AuditEvent

    request = rf.get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        audit_read(request, patient=pat, action="test.read")
    with pytest.raises(PermissionDenied):
        audit_reads(request, patient_ids=[pat.pk], action="test.list")
    assert not AuditEvent.objects.exists()


# patients_visible_to keeps the queryset it built on the User object (one request): what it
# selects must still be decided when it runs, and a user changed in place gets a new build.


def test_the_kept_queryset_reads_the_links_as_they_are_when_it_runs(personas):
    from accounts.models import CareLink

    cleo = personas["cleo"]
    assert visible_ids(cleo) == {personas["pat"].pk}
    CareLink.objects.filter(clinician=cleo).update(status=CareLinkStatus.REVOKED)
    assert visible_ids(cleo) == set()
    CareLink.objects.filter(clinician=cleo).update(status=CareLinkStatus.ACTIVE)
    link(personas["sam"], cleo)
    assert visible_ids(cleo) == {personas["pat"].pk, personas["sam"].pk}


def test_the_kept_queryset_reads_the_verification_as_it_is_when_it_runs(personas):
    from accounts.models import ClinicianProfile

    cleo = personas["cleo"]
    assert visible_ids(cleo) == {personas["pat"].pk}
    ClinicianProfile.objects.filter(user=cleo).update(verified_at=None)
    assert visible_ids(cleo) == set()


@pytest.mark.parametrize("change", ["deactivated", "now a patient", "now an admin"])
def test_a_user_changed_in_place_gets_a_new_build(personas, change):
    cleo = personas["cleo"]
    assert visible_ids(cleo) == {personas["pat"].pk}
    if change == "deactivated":
        cleo.is_active = False
    elif change == "now a patient":
        cleo.role = "patient"
    else:
        cleo.role = "admin"
    assert personas["pat"].pk not in visible_ids(cleo)


def test_each_call_is_its_own_queryset(personas):
    cleo = personas["cleo"]
    first = patients_visible_to(cleo)
    assert list(first.filter(pk=personas["sam"].pk)) == []
    # Narrowing or evaluating one copy never changes the next.
    assert visible_ids(cleo) == {personas["pat"].pk}
    assert patients_visible_to(cleo) is not patients_visible_to(cleo)
