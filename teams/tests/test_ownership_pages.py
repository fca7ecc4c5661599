"""Alert ownership in the clinician's pages and the API ("I'll take it" / "Hand back"), the
dashboard's "whose patients" filter, the queue's assignment filter, and what a triage member
is not offered (exports)."""

import pytest

from accounts.models import AuditEvent, CareLink
from alerts.models import AlertEvent
from clinic.population import seed_population
from clinic.tests import factories as f
from conftest import link, make_patient
from teams.models import Team, TeamMembership, TeamRole
from teams.tests.test_access import _member, _share


@pytest.fixture
def clinic(db):
    return Team.objects.create(name="Demo Pain Clinic")


@pytest.fixture
def staff(clinic, pat, sam):
    """Pat shares with the clinic (Tess's code); Sam with Carl directly, not with the team.
    Mia runs the team only; Ron was removed; Otto is in another team."""
    people = {
        "tess": _member(clinic, "tess@example.org", TeamRole.CLINICIAN),
        "carl": _member(clinic, "carl@example.org", TeamRole.CLINICIAN),
        "nina": _member(clinic, "nina@example.org", TeamRole.TRIAGE),
        "mia": _member(clinic, "mia@example.org", TeamRole.TEAM_ADMIN),
        "ron": _member(clinic, "ron@example.org", TeamRole.CLINICIAN, active=False),
        "otto": _member(Team.objects.create(name="Other"), "otto@example.org", "clinician"),
    }
    _share(pat, clinic, people["tess"])
    link(sam, people["carl"])
    return people


@pytest.fixture
def alert(pat):
    return f.alert(pat, "high", title="Pat's high alert")


def _page_post(client_for, user, alert, action, **headers):
    return client_for(user).post(
        f"/clinician/alerts/{alert.pk}/{action}/", {"next": "/clinician/alerts/"}, **headers
    )


def _api_post(api_client, user, alert, action):
    return api_client(user).post(f"/api/v1/alerts/{alert.pk}/{action}/", format="json")


# --- assign / hand back from the pages --------------------------------------------------------


def test_a_team_clinician_takes_an_alert_on_from_the_queue(client_for, staff, alert):
    response = _page_post(client_for, staff["tess"], alert, "assign")

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.assigned_to == staff["tess"]
    assert alert.assigned_at is not None
    assert AlertEvent.objects.filter(alert=alert, kind="assigned", actor=staff["tess"]).exists()
    assert AuditEvent.objects.filter(action="alert_assign", object_id=str(alert.pk)).exists()


def test_the_queue_shows_who_took_it_and_offers_the_right_button(client_for, staff, alert):
    queue = client_for(staff["carl"]).get("/clinician/alerts/").content.decode()
    assert "Unassigned" in queue
    assert f"/clinician/alerts/{alert.pk}/assign/" in queue

    _page_post(client_for, staff["tess"], alert, "assign")

    as_carl = client_for(staff["carl"]).get("/clinician/alerts/").content.decode()
    assert "Taken by Tess" in as_carl
    assert "I&#x27;ll take it" in as_carl or "I'll take it" in as_carl  # cover is allowed
    assert f"/clinician/alerts/{alert.pk}/unassign/" not in as_carl
    as_tess = client_for(staff["tess"]).get("/clinician/alerts/").content.decode()
    assert "Taken by you" in as_tess
    assert "Hand back" in as_tess
    assert f"/clinician/alerts/{alert.pk}/unassign/" in as_tess
    # The timeline says it in plain words.
    assert "Tess took this on" in as_tess


def test_another_member_covers_then_hands_back(client_for, staff, alert):
    _page_post(client_for, staff["tess"], alert, "assign")
    _page_post(client_for, staff["carl"], alert, "assign")
    alert.refresh_from_db()
    assert alert.assigned_to == staff["carl"]
    assert AlertEvent.objects.filter(alert=alert, kind="assigned").last().data == {
        "from": staff["tess"].pk
    }

    # Tess is no longer the assignee: her "hand back" changes nothing.
    _page_post(client_for, staff["tess"], alert, "unassign")
    alert.refresh_from_db()
    assert alert.assigned_to == staff["carl"]

    _page_post(client_for, staff["carl"], alert, "unassign")
    alert.refresh_from_db()
    assert alert.assigned_to is None
    page = client_for(staff["carl"]).get(f"/clinician/patients/{alert.patient_id}/")
    assert "Carl handed it back" in page.content.decode()


def test_htmx_answers_the_card_and_tells_the_badge(client_for, staff, alert):
    response = _page_post(client_for, staff["nina"], alert, "assign", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Trigger"] == "alerts-changed"
    html = response.content.decode()
    assert html.lstrip().startswith("<article")
    assert "Taken by you" in html
    assert "Nina took this on" in html


def test_the_record_page_cards_show_the_assignee(client_for, staff, alert, pat):
    _page_post(client_for, staff["nina"], alert, "assign")

    html = client_for(staff["tess"]).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "Taken by Nina" in html


def test_a_triage_member_can_take_an_alert_on_and_acknowledge_it(client_for, staff, alert):
    _page_post(client_for, staff["nina"], alert, "assign")
    client_for(staff["nina"]).post(f"/clinician/alerts/{alert.pk}/acknowledge/", {"note": ""})

    alert.refresh_from_db()
    assert alert.assigned_to == staff["nina"]
    assert alert.status == "acknowledged"


def test_a_resolved_alert_cannot_be_taken_on(client_for, staff, pat):
    done = f.alert(pat, "high", status="resolved")
    _page_post(client_for, staff["tess"], done, "assign")
    done.refresh_from_db()
    assert done.assigned_to is None


@pytest.mark.parametrize("action", ["assign", "unassign"])
@pytest.mark.parametrize("persona", ["uma", "rex", "ron", "otto", "mia"])
def test_who_does_not_see_the_patient_gets_404_and_changes_nothing(
    client_for, staff, alert, uma, rex, persona, action
):
    _page_post(client_for, staff["tess"], alert, "assign")
    user = {"uma": uma, "rex": rex}.get(persona) or staff[persona]

    response = _page_post(client_for, user, alert, action)

    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.assigned_to == staff["tess"]
    assert AlertEvent.objects.filter(alert=alert, kind__in=["assigned", "unassigned"]).count() == 1


def test_a_removed_member_loses_the_alert_actions_on_the_next_request(client_for, staff, alert):
    client = client_for(staff["carl"])
    assert client.post(f"/clinician/alerts/{alert.pk}/assign/").status_code == 302
    TeamMembership.objects.filter(user=staff["carl"]).update(active=False)

    assert client.post(f"/clinician/alerts/{alert.pk}/unassign/").status_code == 404


def test_a_get_is_refused(client_for, staff, alert):
    assert client_for(staff["tess"]).get(f"/clinician/alerts/{alert.pk}/assign/").status_code == 405


# --- the API ----------------------------------------------------------------------------------


def test_api_assign_and_unassign(api_client, staff, alert):
    response = _api_post(api_client, staff["carl"], alert, "assign")
    assert response.status_code == 200
    assert response.json()["assigned_to"] == staff["carl"].pk
    assert [e["kind"] for e in response.json()["events"]][-1] == "assigned"

    cover = _api_post(api_client, staff["nina"], alert, "assign")
    assert cover.json()["assigned_to"] == staff["nina"].pk

    back = _api_post(api_client, staff["nina"], alert, "unassign")
    assert back.status_code == 200
    assert back.json()["assigned_to"] is None
    alert.refresh_from_db()
    assert alert.assigned_to is None


@pytest.mark.parametrize("action", ["assign", "unassign"])
@pytest.mark.parametrize("persona", ["uma", "rex", "ron", "otto", "mia"])
def test_api_out_of_scope_is_404(api_client, staff, alert, uma, rex, persona, action):
    user = {"uma": uma, "rex": rex}.get(persona) or staff[persona]

    assert _api_post(api_client, user, alert, action).status_code == 404
    alert.refresh_from_db()
    assert alert.assigned_to is None


def test_api_a_patient_is_refused(api_client, staff, alert, pat):
    assert _api_post(api_client, pat, alert, "assign").status_code == 403


def test_the_schema_lists_the_ownership_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/alerts/{id}/assign/" in schema
    assert "/api/v1/alerts/{id}/unassign/" in schema


# --- filters ----------------------------------------------------------------------------------


def _dashboard_names(client, **params):
    response = client.get("/clinician/", params)
    assert response.status_code == 200
    return {row.name for row in response.context["rows"]}


def test_dashboard_scope_my_team_all(client_for, staff, pat, sam):
    # Carl: Sam directly, Pat through the team; both directly and through the team: Dee.
    dee = make_patient("dee@example.com", "Dee Both")
    link(dee, staff["carl"])
    _share(dee, Team.objects.get(name="Demo Pain Clinic"), staff["tess"])
    client = client_for(staff["carl"])

    assert _dashboard_names(client) == {"Pat Patient", "Sam Other", "Dee Both"}
    assert _dashboard_names(client, scope="mine") == {"Sam Other", "Dee Both"}
    assert _dashboard_names(client, scope="team") == {"Pat Patient", "Dee Both"}
    # The radio of the chosen scope is checked.
    html = client.get("/clinician/", {"scope": "team"}).content.decode()
    assert 'id="scope-team" name="scope" value="team" checked' in html


def test_dashboard_scope_for_a_clinician_without_team(client_for, cleo, pat):
    client = client_for(cleo)
    assert _dashboard_names(client, scope="mine") == {"Pat Patient"}
    assert _dashboard_names(client, scope="team") == set()


def test_an_unknown_scope_is_ignored_with_a_message(client_for, staff):
    response = client_for(staff["carl"]).get("/clinician/", {"scope": "everyone<b>"})
    assert response.status_code == 200
    assert {row.name for row in response.context["rows"]} == {"Pat Patient", "Sam Other"}
    assert any("was ignored" in m for m in response.context["page"].query.messages)


def test_the_patients_api_takes_the_scope_too(api_client, staff):
    data = api_client(staff["carl"]).get("/api/v1/patients/", {"scope": "mine"}).json()
    assert [row["name"] for row in data["results"]] == ["Sam Other"]


def _queue_titles(client, **params):
    response = client.get("/clinician/alerts/", params)
    assert response.status_code == 200
    return {card.title for card in response.context["cards"]}


def test_queue_assignment_filter(client_for, staff, pat, sam):
    mine = f.alert(pat, "high", title="taken by Carl")
    theirs = f.alert(pat, "moderate", title="taken by Tess")
    f.alert(sam, "low", title="nobody's")
    _page_post(client_for, staff["carl"], mine, "assign")
    _page_post(client_for, staff["tess"], theirs, "assign")
    client = client_for(staff["carl"])

    assert _queue_titles(client) == {"taken by Carl", "taken by Tess", "nobody's"}
    assert _queue_titles(client, assigned="unassigned") == {"nobody's"}
    assert _queue_titles(client, assigned="me") == {"taken by Carl"}
    assert _queue_titles(client_for(staff["nina"]), assigned="me") == set()
    # The pager keeps the filter.
    response = client.get("/clinician/alerts/", {"assigned": "me"})
    assert response.context["query_string"] == "assigned=me"
    assert response.context["page"].paginator.count == 1
    bad = client.get("/clinician/alerts/", {"assigned": "someone"})
    assert "Unknown assignment" in bad.content.decode()


# --- query counts -----------------------------------------------------------------------------


def test_the_dashboard_at_500_team_patients_keeps_its_query_count(
    client_for, staff, django_assert_max_num_queries
):
    """Carl sees 500 synthetic patients through the team (bulk inserted, with check-ins and
    alerts): the dashboard costs what it costs with two (LIST_PAGE_QUERIES in
    clinic/tests/test_views.py: 13), in every scope."""
    seed_population(clinician=staff["tess"], patients=500, days=8, alert_rate=0.2)
    CareLink.objects.filter(clinician=staff["tess"], team__isnull=True).update(
        team=Team.objects.get(name="Demo Pain Clinic")
    )
    client = client_for(staff["carl"])
    client.get("/clinician/alerts/")  # the session's activity stamp
    client.get("/clinician/")  # the day's first read recomputes the triage rows

    for scope in ("", "team", "mine"):
        with django_assert_max_num_queries(13):
            response = client.get("/clinician/", {"scope": scope} if scope else {})
        assert response.status_code == 200
    assert client.get("/clinician/", {"scope": "team"}).context["page"].paginator.count == 501
    assert client.get("/clinician/", {"scope": "mine"}).context["page"].paginator.count == 1


def test_the_queue_with_assignees_keeps_its_query_count(
    client_for, staff, pat, django_assert_max_num_queries
):
    others = [make_patient(f"q{i}@example.com", f"Queue {i}") for i in range(12)]
    for patient in others:
        _share(patient, Team.objects.get(name="Demo Pain Clinic"), staff["tess"])
    for i, patient in enumerate([pat, *others]):
        a = f.alert(patient, "high", title=f"alert {i}")
        taker = (staff["tess"], staff["carl"], staff["nina"])[i % 3]
        _page_post(client_for, taker, a, "assign")
    client = client_for(staff["carl"])
    client.get("/clinician/alerts/")

    with django_assert_max_num_queries(9):
        response = client.get("/clinician/alerts/", {"assigned": "unassigned"})
    assert response.context["page"].paginator.count == 0
    with django_assert_max_num_queries(9):
        response = client.get("/clinician/alerts/")
    html = response.content.decode()
    assert html.count("Taken by Tess") == 5
    assert html.count("Taken by Nina") == 4
    assert html.count("Taken by you") == 4


# --- exports are not offered to triage --------------------------------------------------------

EXPORT_MARKS = ("report.pdf", "report.csv", "/fhir/", "Download CSV", "Visit report")


@pytest.mark.parametrize("url", ["/clinician/", "/clinician/alerts/", "record"])
def test_no_page_offers_an_export_to_a_triage_member(client_for, staff, alert, pat, url):
    url = f"/clinician/patients/{pat.pk}/" if url == "record" else url
    html = client_for(staff["nina"]).get(url).content.decode()
    assert "Pat Patient" in html
    for mark in EXPORT_MARKS:
        assert mark not in html, mark


def test_a_team_clinician_is_offered_the_export_on_the_record(client_for, staff, pat):
    html = client_for(staff["carl"]).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "report.pdf" in html


def test_triage_export_routes_stay_404(client_for, api_client, staff, pat):
    client = client_for(staff["nina"])
    assert client.get(f"/clinician/patients/{pat.pk}/report.pdf").status_code == 404
    assert client.get(f"/clinician/patients/{pat.pk}/report.csv").status_code == 404
    assert api_client(staff["nina"]).get(f"/api/v1/patients/{pat.pk}/fhir/").status_code == 404
