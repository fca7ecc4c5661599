from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from clinic.tests import factories as f
from conftest import link, make_patient
from core.timezones import patient_today

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock


def test_list_returns_the_dashboard_summary_and_audits_once(api_client, cleo, pat):
    today = patient_today(pat)  # the row counts from the patient's own today
    f.entries(pat, today, [7] * 28 + [4] * 7)
    f.phq9_response(pat, [2] * 8 + [0], today)
    f.course(pat, "sertraline", today - timedelta(days=3))
    f.alert(pat, "critical")

    response = api_client(cleo).get("/api/v1/patients/")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["messages"] == []
    (row,) = data["results"]
    assert row["id"] == pat.pk and row["name"] == "Pat Patient"
    assert row["open_alerts"] == {"count": 1, "max_severity": "critical"}
    assert row["last_entry"]["days_since"] == 0
    assert row["means_7_days"]["mood"] == 4.0
    assert row["change_vs_previous_28_days"]["mood"] == -3.0
    assert row["latest_phq9"]["total"] == 16 and row["latest_phq9"]["band"] == "moderately_severe"
    assert row["black_box_window_open"] is True
    assert row["serotonergic"]["severity"] == "none"
    assert AuditEvent.objects.filter(actor=cleo, action="patients_api_list").count() == 1


def test_detail_and_audit(api_client, cleo, pat):
    response = api_client(cleo).get(f"/api/v1/patients/{pat.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == pat.pk
    assert (
        AuditEvent.objects.filter(actor=cleo, patient=pat, action="patients_api_detail").count()
        == 1
    )


@pytest.mark.parametrize("persona", ["uma", "rex", "val", "pat", "sam", "ada"])
def test_others_get_an_empty_list_and_404(personas, api_client, persona):
    pat = personas["pat"]
    client = api_client(personas[persona])
    listing = client.get("/api/v1/patients/")
    assert listing.status_code == 200
    assert listing.json()["results"] == []
    assert client.get(f"/api/v1/patients/{pat.pk}/").status_code == 404


def test_anonymous_is_refused(api_client, pat):
    client = api_client(None)
    assert client.get("/api/v1/patients/").status_code in (401, 403)
    assert client.get(f"/api/v1/patients/{pat.pk}/").status_code in (401, 403)


def test_filters_search_pagination_and_garbage(api_client, cleo, pat):
    for i in range(30):
        link(make_patient(f"n{i}@example.com", f"Nina {i:02d}"), cleo)
    client = api_client(cleo)

    first = client.get("/api/v1/patients/").json()
    second = client.get(first["next"]).json()
    assert (first["count"], first["pages"], len(first["results"])) == (31, 2, 25)
    assert len(second["results"]) == 6 and second["previous"]
    assert client.get("/api/v1/patients/?q=nina 0").json()["count"] == 10
    garbage = client.get("/api/v1/patients/?filter=nope&page=x").json()
    assert garbage["count"] == 31 and len(garbage["messages"]) == 2
    assert client.get("/api/v1/patients/?page=99").json()["page"] == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("page=99999999999999999999999", "does not exist; showing the first page"),
    ],
)
def test_values_that_used_to_crash_the_query_are_ignored_with_a_message(
    api_client, cleo, pat, text, message
):
    # Before the form: the page overflowed PostgreSQL's bigint OFFSET, and NUL cannot be in
    # a PostgreSQL text parameter; both answered 500.
    response = api_client(cleo).get(f"/api/v1/patients/?{text}")
    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"]) == (1, 1)
    assert [m for m in data["messages"] if message in m]


def test_a_null_character_in_the_search_is_refused_before_the_query(api_client, cleo, pat):
    # NUL cannot be in a PostgreSQL text parameter (it answered 500); the hostile-input
    # middleware refuses it for every route with a JSON 400.
    response = api_client(cleo).get("/api/v1/patients/?q=%00pat")
    assert response.status_code == 400
    assert "detail" in response.json()
