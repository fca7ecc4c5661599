"""What the clinician sees of today's interactions: medicines that could not be checked (on the
record and the dashboard row, never an alert by themselves) and the findings of the record,
minor ones included (worth discussing, no alert). docs/clinical-rules.md#combination-alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert
from alerts.services import sync_alerts
from clinic.templatetags.clinic_tags import interaction_findings
from clinic.tests import factories as f
from conftest import link, make_patient
from medications.interactions import Assessment, Finding

pytestmark = [pytest.mark.clock, pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def _unknown_medicines(patient, today):
    f.course(patient, "Mystery tea", today - timedelta(days=3))
    f.course(patient, "Zz herbal drops", today - timedelta(days=40))
    # stopped last month: it no longer counts, so it is not listed
    f.course(patient, "Old remedy", today - timedelta(days=90), today - timedelta(days=30))


def test_the_dashboard_row_names_the_medicines_that_could_not_be_checked(
    client_for, cleo, pat, today
):
    _unknown_medicines(pat, today)
    body = client_for(cleo).get("/clinician/").content.decode()
    assert "2 medicines could not be checked: Mystery tea, Zz herbal drops." in body
    assert "Old remedy" not in body


def test_one_medicine_reads_in_the_singular(client_for, cleo, pat, today):
    f.course(pat, "Mystery tea", today - timedelta(days=3))
    body = client_for(cleo).get("/clinician/").content.decode()
    assert "1 medicine could not be checked: Mystery tea." in body


def test_a_row_without_unknown_medicines_says_nothing_about_them(client_for, cleo, pat, today):
    f.course(pat, "sertraline", today - timedelta(days=3))
    body = client_for(cleo).get("/clinician/").content.decode()
    assert "could not be checked" not in body


def test_the_api_row_lists_them(api_client, cleo, pat, today):
    _unknown_medicines(pat, today)
    (row,) = api_client(cleo).get("/api/v1/patients/").json()["results"]
    assert row["unchecked_medicines"] == ["Mystery tea", "Zz herbal drops"]


def test_the_record_names_them(client_for, cleo, pat, today):
    _unknown_medicines(pat, today)
    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "2 medicines could not be checked: Mystery tea, Zz herbal drops." in body


def test_unknown_medicines_alone_raise_no_alert(pat, today):
    _unknown_medicines(pat, today)
    f.course(pat, "sertraline", today - timedelta(days=3))
    sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 0


def test_the_record_lists_minor_findings_as_worth_discussing_without_an_alert(
    client_for, cleo, pat, today
):
    # Two weakly serotonergic drugs: minor (Gillman: weak agents together do not cause
    # serotonin toxicity).
    f.course(pat, "trazodone", today - timedelta(days=30))
    f.course(pat, "cyclobenzaprine", today - timedelta(days=3))
    sync_alerts(pat)
    assert Alert.objects.filter(patient=pat).count() == 0
    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert 'class="ix ix-minor">Minor</span>' in body
    assert "worth discussing; no alert is raised for it" in body


def test_findings_are_ordered_and_labelled_by_mechanism():
    assessment = Assessment(
        severity="contraindicated",
        findings=(
            Finding(("a", "b"), "minor", "P12", "a + b: minor.", ""),
            Finding(
                ("c", "d"), "contraindicated", "P4", "c + d: blood pressure.", "", "hypertensive"
            ),
            Finding(("a", "c"), "moderate", "P11", "a + c: moderate.", ""),
        ),
        unknown=("Mystery tea",),
        counted=("a", "b", "c", "d"),
    )
    context = interaction_findings(assessment)
    assert [(x["severity"], x["hypertensive"], x["note"]) for x in context["findings"]] == [
        ("contraindicated", True, ""),
        ("moderate", False, ""),
        ("minor", False, "worth discussing; no alert is raised for it"),
    ]
    assert context["unchecked"] == "1 medicine could not be checked: Mystery tea."
    assert "P12" not in str(context) and "P4" not in str(context)


@pytest.mark.parametrize("size", [2, 20])
def test_the_dashboard_reads_unknown_medicines_without_extra_queries(
    client_for, cleo, today, size, django_assert_max_num_queries
):
    for i in range(size):
        patient = make_patient(f"u{i}@example.com", f"U {i}")
        link(patient, cleo)
        _unknown_medicines(patient, today)
        f.course(patient, "sertraline", today - timedelta(days=20))
    client = client_for(cleo)
    client.get("/clinician/alerts/")  # the session's activity stamp
    # As test_views.LIST_PAGE_QUERIES["/clinician/"]: the unknown names add no query.
    with django_assert_max_num_queries(13):
        body = client.get("/clinician/").content.decode()
    assert body.count("2 medicines could not be checked") == size
