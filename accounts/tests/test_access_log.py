"""/patient/access-log/ and GET /api/v1/me/access-log/: who read the patient's record."""

from datetime import date

import pytest
from django.utils import timezone

from accounts.access_log import action_phrase
from accounts.models import AuditEvent, CareLink, CareLinkStatus
from conftest import api_client_for, make_clinician
from teams.models import Team, TeamMembership, TeamRole
from tests.builders import course

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom(pat):
    """A clinician who sees Pat through the care team "Pat's Clinic"."""
    team = Team.objects.create(name="Pat's Clinic")
    member = make_clinician("tom@example.com", "Tom Teammember")
    TeamMembership.objects.create(team=team, user=member, role=TeamRole.CLINICIAN)
    CareLink.objects.create(
        patient=pat,
        clinician=member,
        team=team,
        status=CareLinkStatus.ACTIVE,
        activated_at=timezone.now(),
    )
    return member


def _reads(client_for, pat, cleo, tom, ada):
    cleo_client = client_for(cleo)
    assert cleo_client.get(f"/clinician/patients/{pat.pk}/").status_code == 200
    assert cleo_client.get(f"/clinician/patients/{pat.pk}/report.pdf").status_code == 200
    assert client_for(tom).get(f"/clinician/patients/{pat.pk}/").status_code == 200
    pat_course = course(pat, "sertraline", date(2026, 1, 1))
    admin_page = f"/admin/medications/medicationcourse/{pat_course.pk}/change/"
    assert client_for(ada).get(admin_page).status_code == 200
    # Pat reads her own record and report: never audited, never listed.
    assert client_for(pat).get("/patient/report/report.pdf").status_code == 200


def test_lists_exactly_the_audited_reads_newest_first(client_for, pat, sam, cleo, tom, ada):
    _reads(client_for, pat, cleo, tom, ada)
    response = client_for(pat).get("/patient/access-log/")
    assert response.status_code == 200
    rows = response.context["rows"]
    expected = list(
        AuditEvent.objects.filter(patient=pat)
        .exclude(actor=pat)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert [row.id for row in rows] == expected
    assert [(row.who, row.what, row.team) for row in rows] == [
        ("Ada", "Your record, in the administration site", ""),
        ("Tom Teammember", "Your record (summary page)", "Pat's Clinic"),
        ("Cleo Linked", "Your visit report (PDF)", ""),
        ("Cleo Linked", "Your record (summary page)", ""),
    ]
    body = response.content.decode()
    assert "through the care team Pat&#x27;s Clinic" in body
    assert "Administrator" in body
    assert "America/New_York" in body
    # Times in Pat's zone, labelled.
    assert "EST" in body or "EDT" in body


def test_other_patients_log_does_not_show_pats_reads(client_for, pat, sam, cleo, tom, ada):
    _reads(client_for, pat, cleo, tom, ada)
    response = client_for(sam).get("/patient/access-log/")
    assert response.context["rows"] == []
    assert "Nobody other than you has viewed your record yet." in response.content.decode()
    assert api_client_for(sam).get("/api/v1/me/access-log/").json()["count"] == 0


def test_api_lists_the_same_rows(client_for, pat, cleo, tom, ada):
    _reads(client_for, pat, cleo, tom, ada)
    page = client_for(pat).get("/patient/access-log/").context["rows"]
    response = api_client_for(pat).get("/api/v1/me/access-log/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    assert [row["id"] for row in data["results"]] == [row.id for row in page]
    assert data["results"][1]["team"] == "Pat's Clinic"
    assert data["results"][0]["role"] == "Administrator"


@pytest.mark.parametrize("who", ["cleo", "ada"])
def test_api_is_for_patients_only(request, who):
    user = request.getfixturevalue(who)
    assert api_client_for(user).get("/api/v1/me/access-log/").status_code == 403


def test_page_is_for_patients_only(client_for, cleo, ada):
    assert client_for(cleo).get("/patient/access-log/").status_code == 404
    assert client_for(ada).get("/patient/access-log/").status_code == 404
    assert client_for().get("/patient/access-log/").status_code == 302


def test_paginated_with_constant_queries(client_for, pat, cleo, django_assert_max_num_queries):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor=cleo, patient=pat, action="record_view", actor_user_id=cleo.pk)
            for _ in range(60)
        ]
    )
    client = client_for(pat)
    client.get("/patient/access-log/")  # warm the session
    with django_assert_max_num_queries(8) as first:
        response = client.get("/patient/access-log/")
    assert len(response.context["rows"]) == 25
    with django_assert_max_num_queries(len(first.captured_queries)):
        last = client.get("/patient/access-log/?page=3")
    assert len(last.context["rows"]) == 10
    assert "Page 3 of 3" in last.content.decode()
    api = api_client_for(pat)
    with django_assert_max_num_queries(8):
        data = api.get("/api/v1/me/access-log/?page=2").json()
    assert data["count"] == 60
    assert len(data["results"]) == 25
    # A hostile page number falls back to the first page (page) / 400 (API).
    assert client.get("/patient/access-log/?page=abc").status_code == 200
    assert api.get("/api/v1/me/access-log/?page=abc").status_code == 400


@pytest.mark.parametrize(
    ("action", "phrase"),
    [
        ("record_view", "Your record (summary page)"),
        ("report_csv", "Your visit report (spreadsheet)"),
        ("report_xml", "Your visit report"),
        ("fhir_export", "Your record, exported for another health system"),
        ("alert_acknowledge", "An alert about you, marked as seen"),
        ("alerts.note", "An alert about you"),
        ("api.dailyentry.read", "Your check-ins"),
        ("admin.user.view", "Your record, in the administration site"),
        ("something_new", "Your record"),
    ],
)
def test_action_phrases(action, phrase):
    assert action_phrase(action) == phrase
