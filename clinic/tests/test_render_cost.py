"""The clinician pages show the same thing after their rendering was made cheaper.

The alert cards and dashboard rows used to be rendered with per-card `{% url %}` tags, `|date`
filters and a nested include (see clinic/cards.py, clinic/rows.py). The markup of that time is
kept here: each page's list must render the same, value for value, from the same objects.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertEvent
from clinic import charts
from clinic.cards import UrlPattern
from clinic.tests import factories as f
from conftest import link, make_patient

LEGACY = Path(__file__).parent / "legacy_markup"
# The markup of commit 9b74c65, before clinic/cards.py and clinic/rows.py (plus, since issue 16,
# the card's alert ownership block); since issue 14 its
# times are the clinician's, zone labelled ({% clinician_time %}), and the PHQ-9 date the
# patient's own (row.phq9_on).
LEGACY_ROWS = "{% load clinic_tags %}" + (LEGACY / "dashboard_rows.html").read_text()
LEGACY_CARDS = (
    "{% load clinician_time %}{% for alert in alerts %}{% with next=next_url %}"
    + (LEGACY / "alert_card.html").read_text()
    + "{% endwith %}{% endfor %}"
)

NOW = "2026-03-14 15:30:00+00:00"


def _squash(html: str) -> str:
    """Whitespace between and inside tags is not what the page shows."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def _between(html: str, start: str, end: str) -> str:
    head = html.index(start)
    return html[head : html.index(end, head)]


def _legacy(source: str, context: dict, request) -> str:
    return engines["django"].from_string(source).render(context, request)


@pytest.fixture
def panel(cleo, pat):
    today = timezone.localdate()
    olive = make_patient("olive@example.com", "Olive <b>Other</b>", dob=date(1999, 1, 2))
    link(olive, cleo)
    f.entries(pat, today - timedelta(days=9), [3, 8, 2, 9, 7, 7, 8, 9, 6, 8])
    f.phq9_response(pat, [2] * 9, today - timedelta(days=1))
    f.course(pat, "sertraline", today - timedelta(days=40))
    f.course(pat, "tramadol", today - timedelta(days=5))
    f.entries(olive, today - timedelta(days=2), [5, 5])
    critical = f.alert(pat, "critical", kind="suicidal_ideation", title="Item 9 & more")
    f.alert(olive, "moderate", status="acknowledged")
    AlertEvent.objects.create(alert=critical, kind="note", note="Called <her>.", actor=cleo)
    critical.acknowledged_by = cleo
    critical.save(update_fields=["acknowledged_by"])
    return pat, olive


@time_machine.travel(NOW, tick=False)
def test_dashboard_rows_render_as_before(client_for, cleo, panel):
    response = client_for(cleo).get("/clinician/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 2
    legacy = _legacy(LEGACY_ROWS, {"rows": rows}, response.wsgi_request)
    shown = _between(response.content.decode(), "<tbody>", "</tbody>")
    assert _squash(shown.removeprefix("<tbody>")) == _squash(legacy)
    assert "Olive &lt;b&gt;Other&lt;/b&gt;" in shown and "b. 1999" in shown


@time_machine.travel(NOW, tick=False)
def test_alert_cards_render_as_before(client_for, cleo, panel):
    response = client_for(cleo).get("/clinician/alerts/?page=1")
    assert response.status_code == 200
    alerts = list(response.context["page"].object_list)
    assert len(alerts) == 2
    legacy = _legacy(
        LEGACY_CARDS,
        # The queue's cards carry the bulk-acknowledge checkbox (issue 14).
        {"alerts": alerts, "next_url": "/clinician/alerts/?page=1", "bulk": True},
        response.wsgi_request,
    )
    shown = _between(response.content.decode(), '<div class="alert-list">', "</main>")
    # The CSRF token differs per render; everything else must not.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    cards = token.sub("", _squash(shown.removeprefix('<div class="alert-list">')))
    expected = token.sub("", _squash(legacy))
    assert cards.startswith(expected)
    assert cards.removeprefix(expected).startswith("</div>")
    assert "Called &lt;her&gt;." in shown and "acknowledged by Cleo Linked" in shown


@time_machine.travel(NOW, tick=False)
def test_resolved_card_after_htmx_resolve_renders_as_before(client_for, cleo, pat):
    alert = f.alert(pat, "high", title="Mood worse")
    client = client_for(cleo)
    response = client.post(
        f"/clinician/alerts/{alert.pk}/resolve/", {"note": "Seen."}, HTTP_HX_REQUEST="true"
    )
    alert.refresh_from_db()
    legacy = _legacy(
        LEGACY_CARDS, {"alerts": [alert], "next_url": "/clinician/alerts/"}, response.wsgi_request
    )
    assert _squash(response.content.decode()).endswith(_squash(legacy).split("</p>", 1)[1])
    assert "Resolved by Cleo Linked 14 Mar 2026, 15:30 UTC." in response.content.decode()


def _record_queries(client, patient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/clinician/patients/{patient.pk}/").status_code == 200
    return len(queries)


def test_record_page_queries_do_not_grow_with_open_alerts(client_for, cleo, pat):
    """The cards used to read `alert.patient`, which the record selector does not load."""
    client = client_for(cleo)
    f.alert(pat, "high")
    one = _record_queries(client, pat)
    for severity in ("critical", "moderate", "high", "low"):
        f.alert(pat, severity)
    assert _record_queries(client, pat) == one


@pytest.mark.parametrize(
    ("name", "pk"),
    [("clinic:patient", 7), ("clinic:alert-note", 123456), ("clinic:alert-resolve", 1)],
)
def test_url_pattern_gives_what_reverse_gives(db, name, pk):
    assert UrlPattern(name)(pk) == reverse(name, args=[pk])


def _formula(points, days):
    span = max(days - 1, 1)
    return " ".join(
        f"{round(2 + 80 * x / span, 1)},{round(2 + 18 * (1 - v / 10), 1)}" for x, v in points
    )


@pytest.mark.parametrize(
    ("points", "days"),
    [
        ([(0, 0), (1, 10), (29, 5)], 30),
        ([(0, 3), (13, 7)], 14),
        ([(0, 2.5), (3, 9.75)], 30),  # non-integer scores take the formula
        ([(0, 4)], 1),
        ([(0, 1), (1, 2), (2, 3)], 3),
    ],
)
def test_sparkline_coordinates_match_the_formula(points, days):
    svg = charts.sparkline(points, days=days, css="spark-mood", label="Mood")
    assert f'<polyline points="{_formula(points, days)}"/>' in svg


@time_machine.travel(NOW, tick=False)
def test_record_alert_history_renders_as_before(client_for, cleo, panel):
    pat, _ = panel
    f.alert(pat, "low", status="resolved", title="Old & done")
    response = client_for(cleo).get(f"/clinician/patients/{pat.pk}/")
    assert response.status_code == 200
    record = response.context["record"]
    assert len(record.alerts) == 2
    legacy = _legacy(
        "{% load clinician_time %}" + (LEGACY / "record_history.html").read_text(),
        {"record": record},
        response.wsgi_request,
    )
    shown = _between(response.content.decode(), '<ul class="plain-list">\n    ', "</ul>")
    assert _squash(shown.removeprefix('<ul class="plain-list">')) == _squash(legacy)
    assert "Old &amp; done" in shown and "Called &lt;her&gt;." in shown
