"""The follow-up workflow's one error type: a step without its note is a FieldErrors.

The API's exception handler and the clinician page both show the service's field message, so
neither translates Django's ValidationError any more.
"""

import pytest
import time_machine

from alerts.models import Alert, AlertEvent
from alerts.services import (
    AlertWorkflowError,
    alert_acknowledge,
    alert_add_note,
    alert_resolve,
    sync_alerts,
)
from alerts.services.workflow import NOTE_REQUIRED_MESSAGE
from alerts.tests.factories import NOW, course
from core.errors import FieldErrors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pat_alert(pat):
    course(pat, "tramadol", -3)
    course(pat, "duloxetine", -60)
    sync_alerts(pat)
    return Alert.objects.get(patient=pat)


def _event_kinds(alert):
    return list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))


@pytest.mark.parametrize("step", [alert_resolve, alert_add_note])
@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_a_step_without_a_note_raises_field_errors_and_writes_nothing(cleo, pat_alert, step, note):
    with pytest.raises(AlertWorkflowError) as raised:
        step(alert=pat_alert, actor=cleo, note=note)

    assert isinstance(raised.value, FieldErrors)  # the API handler's 400 path
    assert raised.value.errors == {"note": [NOTE_REQUIRED_MESSAGE]}
    pat_alert.refresh_from_db()
    assert pat_alert.status == "open"
    assert _event_kinds(pat_alert) == ["created"]


def test_acknowledging_needs_no_note(cleo, pat_alert):
    alert_acknowledge(alert=pat_alert, actor=cleo, note="  ")

    pat_alert.refresh_from_db()
    assert (pat_alert.status, pat_alert.acknowledged_by) == ("acknowledged", cleo)
    assert list(pat_alert.events.values_list("kind", "note")) == [
        ("created", ""),
        ("acknowledged", ""),
    ]


def test_the_page_shows_the_services_message_without_htmx(client_for, cleo, pat_alert):
    response = client_for(cleo).post(
        f"/clinician/alerts/{pat_alert.pk}/resolve/", {"note": " "}, follow=True
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [NOTE_REQUIRED_MESSAGE]
    pat_alert.refresh_from_db()
    assert pat_alert.status == "open"
    assert _event_kinds(pat_alert) == ["created"]
