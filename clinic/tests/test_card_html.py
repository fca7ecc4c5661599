"""clinic.card_html writes an alert card exactly as templates/clinic/_alert_card.html did.

The template as it was when the cards moved to Python is kept in legacy_markup/; every shape a
card can take (status, ownership, bulk, events, explanation, error, hostile text, Spanish) is
rendered both ways and compared byte for byte.
"""

import itertools
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import engines
from django.utils import translation

from clinic.card_html import alert_card_html, csrf_input
from clinic.cards import AlertCard, EventLine

TEMPLATE = engines["django"].from_string(
    (Path(__file__).parent / "legacy_markup" / "alert_card_template.html").read_text()
)
TOKEN = "tok3nVALUE&<x>"
HOSTILE = 'Mood <script>alert("x")</script> & “more”'

BASE = AlertCard(
    pk=42,
    key="42",
    severity="critical",
    severity_label="Critical",
    status="open",
    status_label="Open",
    title="Item 9 & more",
    explanation="PHQ-9 item 9 was answered 2.",
    patient_name="Olive <b>Other</b>",
    patient_url="/clinician/patients/7/",
    raised="14 Mar 2026, 15:30 UTC",
    raised_since="2 hours",
    acknowledged_by="",
    resolved_by="",
    resolved_at="",
    note_url="/clinician/alerts/42/note/",
    acknowledge_url="/clinician/alerts/42/acknowledge/",
    resolve_url="/clinician/alerts/42/resolve/",
    created_short="14 Mar",
    assign_url="/clinician/alerts/42/assign/",
    unassign_url="/clinician/alerts/42/unassign/",
)
EVENTS = [
    EventLine(when="14 Mar 2026, 15:30 UTC", kind="created", actor="", note=""),
    EventLine(when="14 Mar 2026, 15:31 UTC", kind="note", actor="Cleo <i>", note="Called <her>."),
    EventLine(
        when="14 Mar 2026, 15:32 UTC",
        kind="assigned",
        actor="Cleo",
        note="",
        sentence="Cleo took this on",
    ),
    EventLine(when="14 Mar 2026, 15:33 UTC", kind="acknowledged", actor="", note="ok & done"),
]

STATUSES: list[dict[str, Any]] = [
    {"status": "open", "status_label": "Open"},
    {"status": "acknowledged", "status_label": "Acknowledged", "acknowledged_by": "Dr <A>"},
    {
        "status": "resolved",
        "status_label": "Resolved",
        "resolved_by": "Dr Ré",
        "resolved_at": "15 Mar 2026, 09:00 UTC",
    },
    {"status": "resolved", "status_label": "Resolved", "resolved_at": "15 Mar 2026, 09:00 UTC"},
]
OWNERS: list[dict[str, Any]] = [
    {},
    {"assigned_to": "Nurse <N>", "assigned_to_viewer": False},
    {"assigned_to": "Cleo", "assigned_to_viewer": True},
]
OTHERS: list[dict[str, Any]] = [
    {},
    {"explanation": "", "events": []},
    {"events": EVENTS},
    {"title": HOSTILE, "patient_name": HOSTILE, "explanation": HOSTILE},
]
CARDS = [
    replace(BASE, **status, **owner, **other)
    for status, owner, other in itertools.product(STATUSES, OWNERS, OTHERS)
]


def _template(card, *, next_url, bulk, error, token):
    request = SimpleNamespace(path="/fallback/")
    context = {"card": card, "next": next_url, "bulk": bulk, "error": error, "request": request}
    if token is not None:
        context["csrf_token"] = token
    return TEMPLATE.render(context)


@pytest.mark.parametrize("card", CARDS, ids=lambda card: f"{card.status}-{card.assigned_to}")
@pytest.mark.parametrize("bulk", [False, True])
@pytest.mark.parametrize("error", ["", "Write a note <first>."])
def test_a_card_renders_as_the_template_did(card, bulk, error):
    next_url = '/clinician/alerts/?page=2&kind=a"b'
    expected = _template(card, next_url=next_url, bulk=bulk, error=error, token=TOKEN)
    shown = alert_card_html(card, next_url=next_url, csrf=csrf_input(TOKEN), bulk=bulk, error=error)
    assert shown == expected


# Django's own {% csrf_token %} warns of its format_html("") for the NOTPROVIDED marker.
@pytest.mark.filterwarnings("ignore:Calling format_html:DeprecationWarning")
@pytest.mark.parametrize("token", [None, "", "NOTPROVIDED"])
def test_without_a_token_the_forms_carry_none(token):
    expected = _template(BASE, next_url="/x/", bulk=False, error="", token=token)
    assert alert_card_html(BASE, next_url="/x/", csrf=csrf_input(token)) == expected
    assert "csrfmiddlewaretoken" not in expected


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_translated_labels_are_the_templates(language):
    with translation.override(language):
        for owner in OWNERS:
            card = replace(BASE, **owner)
            expected = _template(card, next_url="/x/", bulk=True, error="", token=TOKEN)
            assert alert_card_html(card, next_url="/x/", csrf=csrf_input(TOKEN), bulk=True) == (
                expected
            )
    with translation.override("es"):
        assert "Sin asignar" in alert_card_html(BASE, next_url="/x/", csrf="")
