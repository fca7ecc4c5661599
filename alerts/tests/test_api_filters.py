"""GET /api/v1/alerts/?kind=&severity=: the queue's filters in the API, validated (400)."""

import pytest

from clinic.tests import factories as f

pytestmark = pytest.mark.django_db

LIST = "/api/v1/alerts/"


@pytest.fixture
def alerts(pat, sam):
    return {
        "combo": f.alert(pat, "high", kind="serotonergic_combination", key="c"),
        "hyper": f.alert(pat, "critical", kind="hypertensive_combination", key="h"),
        "mood": f.alert(pat, "moderate", kind="mood_worsening", key="m"),
        "mood_acked": f.alert(pat, "high", kind="mood_worsening", key="ma", status="acknowledged"),
        "sam": f.alert(sam, "critical", kind="hypertensive_combination", key="s"),
    }


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"combo", "hyper", "mood", "mood_acked"}),
        ({"kind": "hypertensive_combination"}, {"hyper"}),
        ({"kind": "mood_worsening"}, {"mood", "mood_acked"}),
        ({"severity": "high"}, {"combo", "mood_acked"}),
        ({"kind": "mood_worsening", "severity": "high"}, {"mood_acked"}),
        ({"kind": "mood_worsening", "status": "open"}, {"mood"}),
        ({"kind": "suicidal_ideation"}, set()),
    ],
)
def test_the_clinician_filters_by_kind_severity_and_status(
    api_client, cleo, alerts, params, expected
):
    response = api_client(cleo).get(LIST, params)
    assert response.status_code == 200
    assert _ids(response) == {alerts[name].pk for name in expected}


@pytest.mark.parametrize(("name", "value"), [("kind", "nonsense"), ("severity", "urgent")])
def test_an_unknown_value_is_a_field_error(api_client, cleo, alerts, name, value):
    response = api_client(cleo).get(LIST, {name: value})
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_the_patient_filters_their_own_alerts(api_client, pat, alerts):
    response = api_client(pat).get(LIST, {"kind": "mood_worsening", "severity": "moderate"})
    assert _ids(response) == {alerts["mood"].pk}
