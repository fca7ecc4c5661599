"""Patient notices, the unread badge and clinician scope of alert reads."""

import pytest
import time_machine
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory

from alerts.context_processors import alert_badge
from alerts.selectors import alerts_for_clinician, alerts_for_patient, patient_notices, unread_count
from alerts.services import alert_acknowledge, sync_alerts
from alerts.tests.factories import NOW, course, entry, m5_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_notices_in_plain_words_most_urgent_first(pat, cleo):
    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    m5_history(pat)
    entry(pat, -21, self_harm_thoughts=True)
    entry(pat, -20, self_harm_thoughts=True)
    sync_alerts(pat)
    notices = patient_notices(pat)
    assert [n["kind"] for n in notices] == [
        "suicidal_ideation",  # two alerts, one notice
        "serotonergic_combination",
        "mood_worsening",
    ]
    assert notices[0]["crisis"] and notices[0]["lines"]
    assert notices[1]["message"].startswith(
        "Your care team has been told about a possible interaction between duloxetine and tramadol."
    )
    for notice in notices:
        assert "stop" not in notice["message"].lower()


def test_resolved_alerts_are_not_notices(pat, cleo):
    from alerts.services import alert_resolve

    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    sync_alerts(pat)
    alert_resolve(alert=alerts_for_patient(pat).get(), actor=cleo, note="Discussed.")
    assert patient_notices(pat) == []


def test_notices_template_renders_messages_and_crisis_lines(pat):
    entry(pat, 0, self_harm_thoughts=True, serotonin_symptoms=["fever", "tremor", "sweating"])
    course(pat, "sertraline", -2)
    sync_alerts(pat)
    html = render_to_string("alerts/_patient_notices.html", {"notices": patient_notices(pat)})
    assert "urgent medical care" in html
    assert 'href="tel:988"' in html
    assert "style=" not in html and "<script" not in html
    assert render_to_string("alerts/_patient_notices.html", {"notices": []}).strip() == ""


def test_unread_count_and_badge(personas):
    pat, cleo = personas["pat"], personas["cleo"]
    entry(pat, 0, self_harm_thoughts=True)
    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    sync_alerts(pat)
    assert unread_count(cleo) == 2
    for who in ("uma", "rex", "val", "pat", "sam", "ada"):
        assert unread_count(personas[who]) == 0
    alert_acknowledge(alert=alerts_for_clinician(cleo).first(), actor=cleo)
    assert unread_count(cleo) == 1
    request = RequestFactory().get("/")
    request.user = cleo
    assert alert_badge(request) == {"alert_badge": 1}
    request.user = pat
    assert alert_badge(request) == {}


def test_clinician_patient_filter_out_of_scope_is_404(personas):
    with pytest.raises(Http404):
        alerts_for_clinician(personas["uma"], patient_id=personas["pat"].pk)
    with pytest.raises(Http404):
        alerts_for_clinician(personas["cleo"], patient_id="abc")
    assert list(alerts_for_clinician(personas["cleo"], patient_id=personas["pat"].pk)) == []


def test_the_patient_home_page_shows_only_the_patients_own_notices(client_for, pat, sam, cleo):
    # The journal's page gets the notices from alerts' context processor (it never imports
    # alerts): Pat sees her crisis notice first thing; Sam, with no alert, sees none.
    entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)
    page = client_for(pat).get("/patient/").content.decode()
    assert "Messages about your care" in page
    assert 'href="tel:988"' in page
    assert "Messages about your care" not in client_for(sam).get("/patient/").content.decode()


def test_the_notices_are_read_only_where_a_page_shows_them(pat, cleo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.context_processors import patient_alert_notices

    request = RequestFactory().get("/")
    request.user = pat
    with CaptureQueriesContext(connection) as queries:
        context = patient_alert_notices(request)
    assert len(queries) == 0  # lazy: pages that do not show notices pay nothing
    assert list(context["patient_notices"]) == []
    request.user = cleo
    assert patient_alert_notices(request) == {}


def test_events_by_alert_gives_each_timeline_oldest_first_with_its_actor(
    pat, cleo, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import Alert, AlertEvent
    from alerts.selectors import events_by_alert

    def alert(key):
        return Alert.objects.create(
            patient=pat,
            kind="mood_worsening",
            severity="high",
            severity_rank=3,
            title=key,
            details={},
            dedupe_key=key,
        )

    first, second, quiet = alert("a"), alert("b"), alert("c")
    now = timezone.now()
    late = AlertEvent.objects.create(alert=first, kind="note", note="later", actor=cleo)
    early = AlertEvent.objects.create(alert=first, kind="created")
    AlertEvent.objects.filter(pk=early.pk).update(created_at=now - timedelta(hours=1))
    AlertEvent.objects.filter(pk=late.pk).update(created_at=now)
    other = AlertEvent.objects.create(alert=second, kind="acknowledged", actor=cleo)
    with django_assert_num_queries(1):
        events = events_by_alert([first.pk, second.pk, quiet.pk])
        assert [e.pk for e in events[first.pk]] == [early.pk, late.pk]
        assert [e.pk for e in events[second.pk]] == [other.pk]
        assert events[first.pk][1].actor.display_name == cleo.display_name  # loaded with it
        assert events.get(quiet.pk, []) == []
    with django_assert_num_queries(0):
        assert events_by_alert([]) == {}
