"""accounts.changes: the data-changed marker and the signal the accounts app declares."""

import pytest
from django.db import transaction

from accounts.changes import patient_data_changed, patients_data_changed
from accounts.models import PatientProfile
from accounts.signals import patient_data_changed as data_changed_signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    """Patient ids the signal announced (a real receiver, connected for one test)."""
    seen: list[int] = []

    def receiver(sender, *, patient_id, **kwargs):
        seen.append(patient_id)

    data_changed_signal.connect(receiver, dispatch_uid="test-announced")
    yield seen
    data_changed_signal.disconnect(dispatch_uid="test-announced")


def test_it_stamps_the_marker_now_and_announces_after_commit(
    pat, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        patient_data_changed(pat.pk)
        assert PatientProfile.objects.get(user=pat).data_changed_at is not None
        assert announced == []  # nothing before commit
    assert announced == [pat.pk]


def test_a_rolled_back_change_leaves_no_marker_and_announces_nothing(
    pat, announced, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        patient_data_changed(pat.pk)
        raise RuntimeError("the save failed")
    assert callbacks == []
    assert announced == []
    assert PatientProfile.objects.get(user=pat).data_changed_at is None


def test_many_patients_are_stamped_in_one_update_and_each_announced(
    pat, sam, announced, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with django_assert_num_queries(1):
            patients_data_changed([sam.pk, pat.pk, sam.pk])
        assert announced == []
    assert sorted(announced) == sorted([pat.pk, sam.pk])
    stamped = PatientProfile.objects.filter(user__in=[pat, sam], data_changed_at__isnull=False)
    assert stamped.count() == 2
