"""The alert queue page: filters, bulk acknowledge and the navigation badge endpoint."""

import re

import pytest
from django.test import Client

from accounts.models import AuditEvent
from alerts.models import Alert, AlertEvent
from clinic.tests import factories as f
from conftest import link, make_patient

pytestmark = pytest.mark.django_db

KINDS = [
    "serotonergic_combination",
    "hypertensive_combination",
    "serotonin_toxicity_symptoms",
    "suicidal_ideation",
    "mood_worsening",
]
SEVERITIES = ["critical", "high", "moderate", "low"]


def _titles(response) -> set[str]:
    html = response.content.decode()
    return set(re.findall(r'<h3 id="alert-\d+-title" class="alert-title">([^<]*)</h3>', html))


@pytest.fixture
def grid(pat):
    """One open alert of every kind × severity for Pat, titled "<kind>/<severity>"."""
    return {
        (kind, severity): f.alert(
            pat, severity, kind=kind, key=f"{kind}-{severity}", title=f"{kind}/{severity}"
        )
        for kind in KINDS
        for severity in SEVERITIES
    }


@pytest.fixture
def big_page(settings):
    # Every alert of the grid on one page.
    import clinic.views

    original = clinic.views.ALERT_QUEUE_PAGE_SIZE
    clinic.views.ALERT_QUEUE_PAGE_SIZE = 100
    yield
    clinic.views.ALERT_QUEUE_PAGE_SIZE = original


# --- filters ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["", *KINDS])
@pytest.mark.parametrize("severity", ["", *SEVERITIES])
def test_it_filters_by_kind_and_severity(client_for, cleo, grid, big_page, kind, severity):
    response = client_for(cleo).get("/clinician/alerts/", {"kind": kind, "severity": severity})

    assert response.status_code == 200
    expected = {
        f"{k}/{s}" for k, s in grid if (not kind or k == kind) and (not severity or s == severity)
    }
    assert _titles(response) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_the_new_hypertensive_kind_is_a_choice(client_for, cleo, grid):
    html = client_for(cleo).get("/clinician/alerts/").content.decode()
    assert '<option value="hypertensive_combination">Hypertensive combination</option>' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "nonsense"}, "Unknown alert kind “nonsense” was ignored."),
        ({"severity": "urgent"}, "Unknown severity “urgent” was ignored."),
        ({"status": "deleted"}, "Unknown status “deleted” was ignored."),
        ({"patient": "abc"}, "Unknown patient was ignored."),
        ({"patient": "99999999999999999999"}, "Unknown patient was ignored."),
        ({"page": "-3"}, "Page “-3” does not exist; showing the first page."),
        ({"kind": "k" * 500}, "Unknown alert kind “" + "k" * 40 + "” was ignored."),
    ],
)
def test_bad_values_show_a_message_and_the_rest_still_filters(
    client_for, cleo, grid, params, message
):
    query = params if "severity" in params else {**params, "severity": "critical"}
    response = client_for(cleo).get("/clinician/alerts/", query)

    assert response.status_code == 200
    assert message in response.content.decode()
    titles = _titles(response)
    assert titles  # the page still lists alerts
    if "severity" not in params:
        assert all(title.endswith("/critical") for title in titles)


def test_a_null_character_in_a_filter_is_a_400_not_a_500(client_for, cleo, grid):
    assert client_for(cleo).get("/clinician/alerts/", {"kind": "x\x00y"}).status_code == 400


def test_another_clinicians_patient_is_an_unknown_patient(client_for, cleo, pat, sam, grid):
    other = make_patient("other@example.com", "Olive Other")
    f.alert(other, "critical", title="Olive's alert")
    sam_alert = f.alert(sam, "critical", title="Sam's alert")

    response = client_for(cleo).get("/clinician/alerts/", {"patient": sam.pk})

    html = response.content.decode()
    assert "Unknown patient was ignored." in html
    assert "Sam Other" not in html and "Sam's alert" not in html
    assert sam_alert.title not in _titles(response)


def test_it_filters_by_patient_and_status(client_for, cleo, pat):
    other = make_patient("other@example.com", "Olive Linked")
    link(other, cleo)
    f.alert(pat, "high", title="pat open")
    f.alert(pat, "high", status="acknowledged", title="pat acknowledged")
    f.alert(pat, "high", status="resolved", title="pat resolved")
    f.alert(other, "high", title="olive open")
    client = client_for(cleo)

    def titles(**params):
        return _titles(client.get("/clinician/alerts/", params))

    assert titles() == {"pat open", "pat acknowledged", "olive open"}
    assert titles(patient=pat.pk) == {"pat open", "pat acknowledged"}
    assert titles(patient=other.pk, status="open") == {"olive open"}
    assert titles(status="resolved") == {"pat resolved"}
    assert titles(status="acknowledged", patient=other.pk) == set()
    html = client.get("/clinician/alerts/", {"status": "acknowledged", "patient": other.pk})
    assert "No alert matches these filters." in html.content.decode()


def test_filters_are_kept_across_pages(client_for, cleo, pat):
    for i in range(30):
        f.alert(pat, "high", kind="mood_worsening", key=f"m{i}", title=f"mood {i}")
    f.alert(pat, "critical", kind="suicidal_ideation", title="other kind")
    client = client_for(cleo)

    first = client.get("/clinician/alerts/", {"kind": "mood_worsening", "severity": "high"})
    html = first.content.decode()
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="\?([^"]*page=2)"', html).group(1).replace("&amp;", "&")
    assert "kind=mood_worsening" in next_link and "severity=high" in next_link

    second = client.get(f"/clinician/alerts/?{next_link}")
    assert second.context["page"].number == 2
    assert len(_titles(second)) == 5
    assert "other kind" not in _titles(second)


def test_the_badge_counts_the_whole_panel_whatever_the_filters(client_for, cleo, pat):
    f.alert(pat, "critical", kind="suicidal_ideation")
    f.alert(pat, "high", kind="mood_worsening")
    f.alert(pat, "high", kind="mood_worsening", status="acknowledged", key="ack")

    response = client_for(cleo).get("/clinician/alerts/", {"kind": "mood_worsening"})

    assert response.context["page"].paginator.count == 2
    assert response.context["alert_badge"] == 2


def test_filtered_queue_keeps_a_fixed_number_of_queries(
    client_for, cleo, pat, grid, django_assert_max_num_queries
):
    client = client_for(cleo)
    client.get("/clinician/alerts/")  # the session's activity stamp
    with django_assert_max_num_queries(9):  # the list page + the audit's granting team
        response = client.get(
            "/clinician/alerts/",
            {"kind": "mood_worsening", "severity": "high", "status": "open", "patient": pat.pk},
        )
    assert _titles(response) == {"mood_worsening/high"}


# --- bulk acknowledge -------------------------------------------------------------------------


def test_bulk_acknowledge_acknowledges_each_with_one_event_and_audits(client_for, cleo, pat):
    other = make_patient("other@example.com", "Olive Linked")
    link(other, cleo)
    a = f.alert(pat, "critical", kind="suicidal_ideation")
    b = f.alert(pat, "high", kind="mood_worsening")
    c = f.alert(other, "moderate", kind="serotonergic_combination")
    untouched = f.alert(pat, "low", kind="serotonergic_combination", key="untouched")

    client = client_for(cleo)
    response = client.post(
        "/clinician/alerts/acknowledge/",
        {"alert": [a.pk, b.pk, c.pk], "next": "/clinician/alerts/?kind=mood_worsening"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/clinician/alerts/?kind=mood_worsening"
    assert response["HX-Trigger"] == "alerts-changed"
    for alert in (a, b, c):
        alert.refresh_from_db()
        assert (alert.status, alert.acknowledged_by) == ("acknowledged", cleo)
        assert list(alert.events.filter(kind="acknowledged").values_list("actor", flat=True)) == [
            cleo.pk
        ]
    untouched.refresh_from_db()
    assert untouched.status == "open"
    audits = AuditEvent.objects.filter(action="alert_bulk_acknowledge", actor=cleo)
    assert sorted(audits.values_list("object_id", flat=True)) == sorted(
        str(x.pk) for x in (a, b, c)
    )
    assert {e.patient_id for e in audits} == {pat.pk, other.pk}
    page = client.get("/clinician/alerts/")
    assert "3 alerts acknowledged." in page.content.decode()


def test_bulk_acknowledge_ignores_another_clinicians_patient(client_for, cleo, pat, sam):
    mine = f.alert(pat, "high")
    sams = f.alert(sam, "critical", kind="suicidal_ideation", title="Sam secret")

    response = client_for(cleo).post(
        "/clinician/alerts/acknowledge/", {"alert": [mine.pk, sams.pk]}, follow=True
    )

    html = response.content.decode()
    assert "1 alert acknowledged." in html
    assert "Sam secret" not in html
    sams.refresh_from_db()
    assert sams.status == "open" and sams.acknowledged_by is None
    assert not AlertEvent.objects.filter(alert=sams, kind="acknowledged").exists()
    assert not AuditEvent.objects.filter(patient=sam).exists()
    mine.refresh_from_db()
    assert mine.status == "acknowledged"


@pytest.mark.parametrize("persona", ["uma", "rex"])
def test_bulk_acknowledge_by_an_unlinked_or_revoked_clinician_changes_nothing(
    client_for, personas, persona
):
    alert = f.alert(personas["pat"], "critical", kind="suicidal_ideation")

    response = client_for(personas[persona]).post(
        "/clinician/alerts/acknowledge/", {"alert": [alert.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Tick the alerts to acknowledge first." in response.content.decode()
    assert "Pat Patient" not in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not AlertEvent.objects.filter(alert=alert, kind="acknowledged").exists()


@pytest.mark.parametrize("persona", ["pat", "sam", "val", "ada"])
def test_bulk_acknowledge_is_404_for_other_roles(client_for, personas, persona):
    alert = f.alert(personas["pat"], "critical")
    response = client_for(personas[persona]).post(
        "/clinician/alerts/acknowledge/", {"alert": [alert.pk]}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == "open"


def test_bulk_acknowledge_needs_the_csrf_token(cleo, pat):
    alert = f.alert(pat, "high")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cleo)

    response = client.post("/clinician/alerts/acknowledge/", {"alert": [alert.pk]})

    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


@pytest.mark.parametrize("ids", [[], ["abc"], ["1e3", ""], ["-5"], ["99999999999999999999999"]])
def test_bulk_acknowledge_with_no_usable_id_is_a_message_not_an_error(client_for, cleo, ids):
    response = client_for(cleo).post("/clinician/alerts/acknowledge/", {"alert": ids}, follow=True)
    assert response.status_code == 200
    assert "Tick the alerts to acknowledge first." in response.content.decode()


def test_bulk_acknowledge_leaves_acknowledged_and_resolved_alerts_alone(client_for, cleo, pat):
    acked = f.alert(pat, "high", status="acknowledged", key="a")
    resolved = f.alert(pat, "high", status="resolved", key="r")

    response = client_for(cleo).post(
        "/clinician/alerts/acknowledge/", {"alert": [acked.pk, resolved.pk]}, follow=True
    )

    assert "Those alerts were already acknowledged." in response.content.decode()
    assert not AlertEvent.objects.filter(kind="acknowledged").exists()
    resolved.refresh_from_db()
    assert resolved.status == "resolved"


def test_bulk_acknowledge_is_all_or_nothing(client_for, cleo, pat, monkeypatch):
    a = f.alert(pat, "high", key="a")
    b = f.alert(pat, "high", key="b")
    import clinic.views

    calls = []

    def failing_audit(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("audit store down")

    monkeypatch.setattr(clinic.views, "audit_event", failing_audit)
    client = client_for(cleo)
    client.raise_request_exception = False
    response = client.post("/clinician/alerts/acknowledge/", {"alert": [a.pk, b.pk]})

    assert response.status_code == 500
    assert set(Alert.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "open"
    }
    assert not AlertEvent.objects.filter(kind="acknowledged").exists()


def test_the_queue_shows_a_checkbox_per_open_alert_in_the_bulk_form(client_for, cleo, pat):
    opened = f.alert(pat, "high", key="o")
    acked = f.alert(pat, "high", status="acknowledged", key="a")

    html = client_for(cleo).get("/clinician/alerts/").content.decode()

    assert '<form id="bulk-acknowledge"' in html
    assert f'name="alert" value="{opened.pk}" form="bulk-acknowledge"' in html
    assert f'value="{acked.pk}" form="bulk-acknowledge"' not in html


def test_a_single_action_with_htmx_raises_the_badge_event(client_for, cleo, pat):
    alert = f.alert(pat, "high")
    response = client_for(cleo).post(
        f"/clinician/alerts/{alert.pk}/acknowledge/",
        {"note": "", "bulk": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alerts-changed"


# --- badge endpoint -----------------------------------------------------------------------


def test_the_badge_endpoint_counts_open_alerts_of_linked_patients(client_for, cleo, pat, sam):
    other = make_patient("other@example.com", "Olive Linked")
    link(other, cleo)
    f.alert(pat, "critical", key="1")
    f.alert(pat, "high", key="2")
    f.alert(pat, "high", status="acknowledged", key="3")
    f.alert(pat, "high", status="resolved", key="4")
    f.alert(other, "low", key="5")
    f.alert(sam, "critical", key="6")
    client = client_for(cleo)

    response = client.get("/clinician/alerts/badge/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<span class="badge" aria-label="3 unread">3</span>' in html
    assert 'id="alert-badge"' in html
    assert "Pat" not in html  # a count, nothing else

    client.post(
        "/clinician/alerts/acknowledge/",
        {"alert": list(Alert.objects.values_list("pk", flat=True))},
    )
    html = client.get("/clinician/alerts/badge/").content.decode()
    assert 'class="badge"' not in html
    assert 'id="alert-badge"' in html


def test_the_badge_endpoint_is_cheap(client_for, cleo, pat, django_assert_max_num_queries):
    for i in range(20):
        f.alert(pat, "high", key=str(i))
    client = client_for(cleo)
    client.get("/clinician/alerts/badge/")  # the session's activity stamp
    # Session, user, clinician profile, then the one count.
    with django_assert_max_num_queries(4) as captured:
        response = client.get("/clinician/alerts/badge/")
    assert response.status_code == 200
    counts = [q for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1


@pytest.mark.parametrize("persona", ["uma", "rex"])
def test_the_badge_endpoint_shows_nothing_of_patients_not_linked(client_for, personas, persona):
    f.alert(personas["pat"], "critical")
    html = client_for(personas[persona]).get("/clinician/alerts/badge/").content.decode()
    assert 'class="badge"' not in html


def test_every_clinician_page_loads_the_badge_script(client_for, cleo):
    html = client_for(cleo).get("/clinician/").content.decode()
    assert 'data-badge-url="/clinician/alerts/badge/"' in html
    assert "clinic/alert-badge" in html


def test_the_count_line_reads_well(client_for, cleo, pat):
    f.alert(pat, "critical", key="a")
    f.alert(pat, "high", key="b")
    f.alert(pat, "high", key="c")
    client = client_for(cleo)
    assert (
        "1 alert matches these filters."
        in client.get("/clinician/alerts/", {"severity": "critical"}).content.decode()
    )
    assert (
        "2 alerts match these filters."
        in client.get("/clinician/alerts/", {"severity": "high"}).content.decode()
    )
    assert "3 alerts. Tick" in client.get("/clinician/alerts/").content.decode()


def test_the_patient_filter_names_each_visible_patient_as_display_name_does(cleo, pat, sam):
    from accounts.models import User
    from clinic.selectors import queue_patients
    from conftest import link

    link(sam, cleo)
    User.objects.filter(pk=sam.pk).update(full_name="")
    sam.refresh_from_db()
    assert sorted(queue_patients(cleo)) == sorted([(pat.pk, pat.display_name), (sam.pk, sam.email)])
    assert sam.display_name == sam.email


@pytest.mark.parametrize("value", ["", "7", "8", "9", "abc", "7 "])
def test_the_patient_filter_validates_and_renders_like_a_plain_choice_field(value):
    """The patient filter skips Django's normalising of its choices (the whole panel): it must
    still accept exactly the panel's ids and render the select Django would."""
    from django import forms

    from clinic.forms import AlertQueueForm
    from core.widgets import PlainSelect

    panel = [(7, "Ana & <b>Bo</b>"), (8, "ben@example.com")]
    ours = AlertQueueForm({"patient": value}, patients=panel)

    class Plain(forms.Form):
        patient = forms.ChoiceField(required=False, widget=PlainSelect)

    theirs = Plain({"patient": value})
    theirs.fields["patient"].choices = [("", "All patients")] + [(str(k), n) for k, n in panel]
    assert ours.fields["patient"].choices == theirs.fields["patient"].choices
    assert ours.is_valid() == theirs.is_valid()
    assert ("patient" in ours.errors) == ("patient" in theirs.errors)
    assert ours.cleaned_data.get("patient") == theirs.cleaned_data.get("patient")
    assert str(ours["patient"]) == str(theirs["patient"])


def _queue_queries(client, params) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/clinician/alerts/", params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_cards_name_people_without_a_query_per_card(client_for, cleo, pat):
    """The queue reads the names a card shows (patient, acknowledged by, resolved by, taken
    by) with the alerts: more resolved alerts by more people cost no more queries, and a
    person without a full name is shown by e-mail."""
    from django.utils import timezone

    from conftest import make_clinician

    client = client_for(cleo)

    def resolved_by(person, title):
        alert = f.alert(pat, "high", status="resolved", title=title)
        Alert.objects.filter(pk=alert.pk).update(
            resolved_by=person, resolved_at=timezone.now(), acknowledged_by=person
        )

    resolved_by(cleo, "first")
    _queue_queries(client, {"status": "resolved"})  # the session's first save is not the queue's
    one, _ = _queue_queries(client, {"status": "resolved"})
    for n in range(4):
        helper = make_clinician(f"helper{n}@example.com", "")
        link(pat, helper)
        resolved_by(helper, f"by helper {n}")
    many, html = _queue_queries(client, {"status": "resolved"})
    assert many == one
    assert "Resolved by Cleo Linked" in html
    assert (
        "Resolved by helper3@example.com" in html and "acknowledged by helper0@example.com" in html
    )
    assert "Pat Patient" in html
