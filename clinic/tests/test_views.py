"""Pages of the clinician workspace: scope for every persona, behaviour, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from alerts.models import Alert, AlertEvent
from clinic.tests import factories as f
from conftest import link, make_patient

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def pat_alert(pat):
    return f.alert(pat, "critical", kind="suicidal_ideation", title="PHQ-9 item 9 answered")


def _pages(pat, alert):
    return {
        "dashboard": ("get", "/clinician/"),
        "record": ("get", f"/clinician/patients/{pat.pk}/"),
        "queue": ("get", "/clinician/alerts/"),
        "pdf": ("get", f"/clinician/patients/{pat.pk}/report.pdf"),
        "csv": ("get", f"/clinician/patients/{pat.pk}/report.csv"),
        "hunter": ("post", f"/clinician/patients/{pat.pk}/hunter/"),
        "acknowledge": ("post", f"/clinician/alerts/{alert.pk}/acknowledge/"),
    }


# (persona, page) -> expected status. Pages of Pat's record are 404 for everyone but Cleo.
EXPECTED = {
    "cleo": {
        "dashboard": 200,
        "record": 200,
        "queue": 200,
        "pdf": 200,
        "csv": 200,
        "hunter": 200,
        "acknowledge": 302,
    },
    "val": {
        "dashboard": 200,
        "record": 404,
        "queue": 404,
        "pdf": 404,
        "csv": 404,
        "hunter": 404,
        "acknowledge": 404,
    },
}
for _name in ("uma", "rex"):
    EXPECTED[_name] = {
        "dashboard": 200,
        "queue": 200,
        "record": 404,
        "pdf": 404,
        "csv": 404,
        "hunter": 404,
        "acknowledge": 404,
    }
for _name in ("pat", "sam", "ada"):
    EXPECTED[_name] = dict.fromkeys(EXPECTED["cleo"], 404)
PAGES = list(EXPECTED["cleo"])


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_scope_of_every_page_for_every_persona(personas, client_for, pat_alert, persona, page):
    method, url = _pages(personas["pat"], pat_alert)[page]
    client = client_for(personas[persona])
    response = getattr(client, method)(url, {"note": "Seen."} if method == "post" else {})
    assert response.status_code == EXPECTED[persona][page]
    pat_alert.refresh_from_db()
    if persona != "cleo":
        assert pat_alert.status == "open"  # nothing changed out of scope


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_users_are_sent_to_login(client, pat, pat_alert, page):
    method, url = _pages(pat, pat_alert)[page]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unverified_clinician_sees_the_waiting_page(client_for, val):
    response = client_for(val).get("/clinician/")
    assert b"awaiting verification" in response.content
    assert b"Pat Patient" not in response.content


def test_dashboard_lists_patients_with_their_triage_and_audits_once(client_for, cleo, pat, today):
    f.entries(pat, today, [7] * 28 + [3] * 7)
    f.phq9_response(pat, [2] * 8 + [0], today)
    f.course(pat, "sertraline", today - timedelta(days=3))
    f.course(pat, "tramadol", today - timedelta(days=30))
    f.alert(pat, "high")
    before = AuditEvent.objects.count()

    response = client_for(cleo).get("/clinician/")

    body = response.content.decode()
    assert "Pat Patient" in body
    assert "sev-high" in body and "1 open" in body
    assert "Moderately severe" in body
    assert "sertraline + tramadol" in body
    assert '<svg class="spark spark-mood"' in body
    assert "style=" not in body
    events = AuditEvent.objects.order_by("pk")[before:]
    # One row per patient shown (issue 10): Pat's access log lists the dashboard read.
    assert [(e.actor_id, e.action, e.patient_id) for e in events] == [
        (cleo.pk, "dashboard_view", pat.pk)
    ]


def test_dashboard_garbage_filters_show_a_message_not_an_error(client_for, cleo, pat):
    response = client_for(cleo).get("/clinician/?filter=%3Cscript%3E&page=zz&alerts=perhaps")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown filter" in body and "<script>" not in body
    assert "Pat Patient" in body


@pytest.mark.parametrize("text", ["page=99999999999999999999999"])
def test_dashboard_values_that_used_to_crash_show_a_message(client_for, cleo, pat, text):
    response = client_for(cleo).get(f"/clinician/?{text}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "was ignored" in body or "does not exist" in body
    assert "Pat Patient" in body


def test_a_null_character_in_the_dashboard_search_is_a_400_not_a_500(client_for, cleo, pat):
    response = client_for(cleo).get("/clinician/?q=%00pat")
    assert response.status_code == 400
    assert "Pat Patient" not in response.content.decode()


def _panel(clinician, n, today):
    for i in range(n):
        p = make_patient(f"q{i}@example.com", f"Queue Patient {i}")
        link(p, clinician)
        f.entries(p, today, [5] * 35)
        f.phq9_response(p, [1] * 9, today)
        f.course(p, "sertraline", today - timedelta(days=20))
        f.alert(p, "high")


# Session, user, clinician profile, then the page's own. Dashboard (first read of the day, so
# the order + count finds stale triage rows): order + count + badge, stale ids, figures, upsert,
# order + count + badge again, rows, courses, ingredients of combination products, sparklines,
# audit. Queue: patients of the filter, total + badge, page, events, audit. Each audit is one
# INSERT ... SELECT that also names the care team that granted access.
LIST_PAGE_QUERIES = {"/clinician/": 13, "/clinician/alerts/": 8, "/api/v1/patients/": 13}


@pytest.mark.parametrize("size", [2, 30])
@pytest.mark.parametrize("url", list(LIST_PAGE_QUERIES))
def test_list_pages_use_a_fixed_number_of_queries(
    client_for, cleo, today, size, url, django_assert_max_num_queries
):
    _panel(cleo, size, today)
    client = client_for(cleo)
    # The first request after sign-in may save the session's activity stamp
    # (portal.middleware.SessionTimeoutMiddleware): not the page's cost. The queue's request
    # does not touch the triage rows the dashboard's first read recomputes.
    client.get("/clinician/alerts/")
    with django_assert_max_num_queries(LIST_PAGE_QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("days", [5, 200])
def test_patient_record_uses_a_fixed_number_of_queries(
    client_for, cleo, pat, today, days, django_assert_max_num_queries
):
    f.entries(pat, today, [5] * days)
    for i in range(days // 14 + 1):
        f.phq9_response(pat, [1] * 9, today - timedelta(days=14 * i))
    for i in range(days // 30 + 1):
        previous = f.course(
            pat,
            "sertraline",
            today - timedelta(days=30 * i + 29),
            today - timedelta(days=30 * i),
            dose=25 + i,
        )
    a = f.alert(pat, "high")
    AlertEvent.objects.create(alert=a, kind="note", note="x", actor=cleo)
    client = client_for(cleo)
    client.get("/clinician/alerts/")  # the session's activity stamp, as above
    # Session, user, clinician profile, patient + profile, entries, responses, courses, the
    # ingredients of combination products (v2), alerts, events, the first page of notes, audit
    # (granting team + row), badge, entries removed by the patient.
    with django_assert_max_num_queries(15):
        response = client.get(f"/clinician/patients/{pat.pk}/")
    assert response.status_code == 200
    assert previous is not None


def test_patient_record_shows_charts_findings_timeline_and_audits(client_for, cleo, pat, today):
    f.entries(pat, today, [6] * 20)
    f.phq9_response(pat, [3] * 8 + [1], today - timedelta(days=2))
    f.fiqr_response(pat, 6, today - timedelta(days=5))
    f.acr_response(pat, today - timedelta(days=5))
    first = f.course(pat, "fluoxetine", today - timedelta(days=60), today - timedelta(days=20))
    f.course(
        pat,
        "fluoxetine",
        today - timedelta(days=19),
        today - timedelta(days=10),
        dose=40,
        previous=first,
    )
    f.course(pat, "phenelzine", today - timedelta(days=3))
    f.course(pat, "Mystery tea", today - timedelta(days=3))
    f.alert(pat, "critical", kind="serotonergic_combination", title="MAOI combination")

    response = client_for(cleo).get(f"/clinician/patients/{pat.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Mood and medicines",
        "PHQ-9",
        "FIQR",
        "WPI",
        "criteria met",
        "Hunter",
        "contraindicated",
        "Source:",
        "Mystery tea",
        '"kind": "dose_change"',  # a marker on the charts and the timeline (json_script)
        'id="timeline-data"',
        "MAOI combination",
        "Severe",
    ):
        assert text in body, text
    assert "style=" not in body
    timeline = response.context["view"].timeline
    stopped = [
        row for row in timeline["courses"] if row["label"].lower().startswith("fluoxetine 40")
    ]
    assert stopped[0]["washout_to"] > stopped[0]["to"]  # a stopped drug's washout tail
    assert [row["dose_change"] for row in timeline["courses"]][:2] == [False, True]
    assert (
        AuditEvent.objects.filter(
            actor=cleo, patient=pat, action="record_view", object_id=str(pat.pk)
        ).count()
        == 1
    )


def test_it_acknowledges_notes_and_resolves_with_htmx(client_for, cleo, pat, pat_alert):
    client = client_for(cleo)
    hx = {"HTTP_HX_REQUEST": "true"}

    r1 = client.post(f"/clinician/alerts/{pat_alert.pk}/acknowledge/", {"note": ""}, **hx)
    r2 = client.post(f"/clinician/alerts/{pat_alert.pk}/note/", {"note": "Called her."}, **hx)
    r3 = client.post(f"/clinician/alerts/{pat_alert.pk}/resolve/", {"note": ""}, **hx)
    pat_alert.refresh_from_db()
    assert pat_alert.status == "acknowledged"  # resolve without a note refused
    assert "Write a note" in r3.content.decode()
    r4 = client.post(f"/clinician/alerts/{pat_alert.pk}/resolve/", {"note": "Safe plan."}, **hx)

    pat_alert.refresh_from_db()
    assert [r.status_code for r in (r1, r2, r3, r4)] == [200, 200, 200, 200]
    assert r1.content.decode().lstrip().startswith('<article class="alert-card')
    assert pat_alert.status == "resolved" and pat_alert.resolved_by == cleo
    kinds = list(pat_alert.events.values_list("kind", "note"))
    assert ("acknowledged", "") in kinds
    assert ("note", "Called her.") in kinds
    assert ("resolved", "Safe plan.") in kinds
    assert "Resolved by Cleo Linked" in r4.content.decode()


def test_alert_actions_without_htmx_redirect_back(client_for, cleo, pat, pat_alert):
    response = client_for(cleo).post(
        f"/clinician/alerts/{pat_alert.pk}/acknowledge/",
        {"next": f"/clinician/patients/{pat.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/clinician/patients/{pat.pk}/"
    pat_alert.refresh_from_db()
    assert pat_alert.status == "acknowledged"


def test_alert_actions_never_redirect_off_site(client_for, cleo, pat_alert):
    response = client_for(cleo).post(
        f"/clinician/alerts/{pat_alert.pk}/note/", {"note": "x", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/clinician/alerts/"


@pytest.mark.parametrize("alert_id", ["999999", "0"])
def test_unknown_alert_is_404(client_for, cleo, alert_id):
    assert (
        client_for(cleo).post(f"/clinician/alerts/{alert_id}/note/", {"note": "x"}).status_code
        == 404
    )


def test_alert_queue_orders_most_severe_then_oldest(client_for, cleo, pat, today):
    other = make_patient("o@example.com", "Olive Other")
    link(other, cleo)
    moderate = f.alert(pat, "moderate", title="A moderate")
    critical_new = f.alert(other, "critical", title="B critical new")
    critical_old = f.alert(pat, "critical", title="C critical old")
    Alert.objects.filter(pk=critical_old.pk).update(created_at=timezone.now() - timedelta(days=2))
    f.alert(pat, "high", status="resolved", title="D resolved")

    body = client_for(cleo).get("/clinician/alerts/").content.decode()

    order = [body.index(t) for t in ("C critical old", "B critical new", "A moderate")]
    assert order == sorted(order)
    assert "D resolved" not in body
    assert moderate and critical_new


HUNTER_CASES = [
    ({"spontaneous_clonus": "on"}, "Positive", "rule 1"),
    ({"tremor": "on", "hyperreflexia": "on"}, "Positive", "rule 4"),
    ({"tremor": "on"}, "Negative", "none of the five"),
    ({"temperature_c": "hot"}, None, "Enter a body temperature"),
    ({"temperature_c": "80"}, None, "Enter a body temperature"),
]


@pytest.mark.parametrize(("data", "verdict", "text"), HUNTER_CASES)
def test_hunter_tool(client_for, cleo, pat, today, data, verdict, text):
    f.course(pat, "sertraline", today - timedelta(days=3))
    response = client_for(cleo).post(
        f"/clinician/patients/{pat.pk}/hunter/", data, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert text in body
    assert response.status_code == (200 if verdict else 400)
    if verdict:
        assert verdict in body


def test_hunter_without_a_serotonergic_drug_is_negative(client_for, cleo, pat):
    response = client_for(cleo).post(
        f"/clinician/patients/{pat.pk}/hunter/",
        {"spontaneous_clonus": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert "no serotonergic drug present" in response.content.decode()


def test_hunter_result_is_saved_as_a_note_on_the_chosen_open_alert(
    client_for, cleo, pat, pat_alert, today
):
    f.course(pat, "sertraline", today - timedelta(days=3))
    response = client_for(cleo).post(
        f"/clinician/patients/{pat.pk}/hunter/",
        {"spontaneous_clonus": "on", "temperature_c": "38.6", "save_to_alert": str(pat_alert.pk)},
    )
    assert response.status_code == 200
    note = pat_alert.events.get(kind="note")
    assert note.actor == cleo
    assert note.note.startswith("Hunter criteria positive: rule 1")
    assert "38.6 °C" in note.note
    assert AuditEvent.objects.filter(actor=cleo, patient=pat, action="hunter_check").count() == 1


def test_hunter_refuses_to_save_on_another_patients_alert(client_for, cleo, pat, sam):
    link(sam, cleo)
    sams = f.alert(sam, "high")
    response = client_for(cleo).post(
        f"/clinician/patients/{pat.pk}/hunter/",
        {"tremor": "on", "save_to_alert": str(sams.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert not sams.events.filter(kind="note").exists()


@pytest.mark.parametrize(
    "url", ["/clinician/", "/clinician/?filter=phq9", "/clinician/alerts/", "record"]
)
def test_the_badge_counts_open_alerts_of_the_whole_panel_on_every_page(
    client_for, cleo, pat, sam, today, url
):
    # The dashboard counts the badge in its triage query and the queue with its total; the
    # figure must stay unread_count: open (not acknowledged, not resolved) alerts of every
    # linked patient, whatever the page's filter shows (?filter=phq9 matches nobody here, so
    # that page falls back to the context processor's own count).
    from alerts.selectors import unread_count

    other = make_patient("other@example.com", "Other Linked")
    link(other, cleo)
    f.alert(pat, "critical")
    f.alert(pat, "high")
    f.alert(pat, "high", status="acknowledged")
    f.alert(pat, "moderate", status="resolved")
    f.alert(other, "moderate")
    f.alert(sam, "critical")  # not Cleo's patient
    assert unread_count(cleo) == 3
    path = f"/clinician/patients/{pat.pk}/" if url == "record" else url
    response = client_for(cleo).get(path)
    assert response.status_code == 200
    assert response.context["alert_badge"] == 3
    assert '<span class="badge" aria-label="3 unread">3</span>' in response.content.decode()


@pytest.mark.parametrize("url", ["/clinician/", "/clinician/alerts/"])
def test_the_badge_shows_nothing_when_every_alert_is_acknowledged(client_for, cleo, pat, url):
    f.alert(pat, "high", status="acknowledged")
    response = client_for(cleo).get(url)
    assert response.status_code == 200
    assert not response.context["alert_badge"]
    assert 'class="badge"' not in response.content.decode()
