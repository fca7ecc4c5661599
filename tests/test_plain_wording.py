"""No rule ids ("M2", "P7", "S1") or file names (the rules document, "rules.py") in anything a
clinician or patient reads: alert titles, explanations, event texts, the queue, the record,
the visit report (PDF and CSV), the FHIR bundle, the API's words and the notification emails.

Alerts of every kind are raised through the real rules (alerts.services.sync_alerts), then
followed up (acknowledged, noted, escalated, resolved), and every surface is rendered.
"""

import io
import json
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core import mail
from pypdf import PdfReader

from alerts.models import Alert, AlertEvent, Notification
from alerts.outbox import build_email, send_pending_notifications
from alerts.services import alert_acknowledge, alert_add_note, alert_resolve, sync_alerts
from alerts.tests.factories import NOW, course, entry, m5_history, moods, phq9
from conftest import api_client_for, link, make_patient

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(r"\b[MPS]\d{1,2}\b|CLINICAL\.md|\.py\b")
ALL_KINDS = {
    "serotonergic_combination",
    "hypertensive_combination",
    "serotonin_toxicity_symptoms",
    "suicidal_ideation",
    "mood_worsening",
}


class _VisibleText(HTMLParser):
    """The text a reader sees (and hears): data outside script/style, plus labels in
    attributes a screen reader reads. SVG path data ("M10 20") is not text."""

    READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "value")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.READ_ATTRIBUTES and value and tag != "path":
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def assert_plain(where: str, text: str) -> None:
    found = sorted({m.group(0) for m in INTERNAL.finditer(text)})
    assert not found, f"{where} shows internal references {found}"


@pytest.fixture
def world(pat, cleo):
    """Pat with an alert of every kind the rules raise, followed up; Olive with a mood alert
    escalated by new evidence."""
    with time_machine.travel(NOW, tick=True):
        # Combinations: major (tramadol + duloxetine), then contraindicated (an MAOI joins).
        course(pat, "tramadol", -3)
        course(pat, "duloxetine", -60)
        # Serotonin toxicity symptoms and self-harm thoughts on the same check-in.
        entry(
            pat,
            0,
            mood=1,
            self_harm_thoughts=True,
            serotonin_symptoms=["fever", "tremor", "sweating"],
        )
        # PHQ-9: a rise of 16 with a severe total and item 9 (M1, M2, M3).
        phq9(pat, -30, 5)
        phq9(pat, -1, 21, item9=1)
        sync_alerts(pat)
        course(pat, "phenelzine", -2)
        sync_alerts(pat)
        # A hypertensive pair (an MAOI with a stimulant or decongestant), when the engine
        # raises that kind.
        course(pat, "bupropion", -1)
        course(pat, "pseudoephedrine", -1)
        sync_alerts(pat)

        olive = make_patient("olive@example.com", "Olive Linked")
        link(olive, cleo)
        m5_history(olive)  # moderate mood worsening (M5)
        sync_alerts(olive)
        moods(olive, {-6: 1, -5: 1, -4: 1})  # three low days: escalates (M4)
        sync_alerts(olive)

        alerts = list(Alert.objects.filter(patient=pat).order_by("pk"))
        alert_acknowledge(alert=alerts[0], actor=cleo, note="Called the patient.")
        alert_add_note(alert=alerts[0], actor=cleo, note="Safety plan reviewed.")
        alert_resolve(alert=alerts[-1], actor=cleo, note="Regimen changed by the prescriber.")
    return {"pat": pat, "olive": olive, "cleo": cleo}


def test_every_kind_is_raised_through_the_rules(world):
    kinds = set(Alert.objects.values_list("kind", flat=True))
    # hypertensive_combination: raised once the engine reports hypertensive findings (the
    # Medications v2 engine); from then on the world above raises it and every test scans it.
    missing = ALL_KINDS - kinds - {"hypertensive_combination"}
    assert not missing
    assert AlertEvent.objects.filter(kind__in=["evidence", "escalated"]).exists()


def test_stored_titles_explanations_and_event_texts_are_plain(world):
    for alert in Alert.objects.all():
        details = alert.details or {}
        assert_plain(f"title of {alert.kind}", alert.title)
        assert_plain(f"explanation of {alert.kind}", str(details.get("explanation", "")))
        assert_plain(f"patient message of {alert.kind}", str(details.get("patient_message", "")))
        for hit in details.get("evidence", {}).get("hits", []):
            assert_plain(f"evidence of {alert.kind}", str(hit.get("explanation", "")))
            for finding in hit.get("findings", []):
                assert_plain(f"finding of {alert.kind}", finding.get("explanation", ""))
    for event in AlertEvent.objects.all():
        assert_plain(f"{event.kind} event", event.note)


@pytest.mark.parametrize(
    "url",
    [
        "/clinician/alerts/",
        "/clinician/alerts/?status=resolved",
        "/clinician/alerts/?kind=mood_worsening",
        "/clinician/",
        "/clinician/patients/{pat}/",
        "/clinician/patients/{olive}/",
        "/clinician/alerts/badge/",
    ],
)
def test_clinician_pages_are_plain(client_for, world, url):
    with time_machine.travel(NOW, tick=True):
        path = url.format(pat=world["pat"].pk, olive=world["olive"].pk)
        response = client_for(world["cleo"]).get(path)
    assert response.status_code == 200
    assert_plain(path, visible_text(response.content.decode()))


def test_the_clinicians_alert_detail_in_the_api_is_plain(world):
    client = api_client_for(world["cleo"])
    for alert in Alert.objects.all():
        body = client.get(f"/api/v1/alerts/{alert.pk}/").json()
        assert_plain("API title", body["title"])
        assert_plain("API explanation", str(body["details"].get("explanation", "")))
        for event in body["events"]:
            assert_plain("API event note", event["note"])


@pytest.mark.parametrize("patient", ["pat", "olive"])
def test_the_visit_report_is_plain(client_for, world, patient):
    client = client_for(world["cleo"])
    pk = world[patient].pk
    with time_machine.travel(NOW, tick=True):
        pdf = client.get(f"/clinician/patients/{pk}/report.pdf")
        csv = client.get(f"/clinician/patients/{pk}/report.csv")
    reader = PdfReader(
        io.BytesIO(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    )
    assert_plain("PDF", "\n".join(page.extract_text() for page in reader.pages))
    csv_text = (b"".join(csv.streaming_content) if csv.streaming else csv.content).decode()
    assert_plain("CSV", csv_text)


def test_the_fhir_bundle_words_are_plain(world):
    from clinic import fhir
    from journal.instruments import phq9 as phq9_scoring
    from journal.models import QuestionnaireResponse

    # The alert builders store a bare score; the bundle wants the scorer's band.
    for response in QuestionnaireResponse.objects.filter(patient=world["pat"]):
        response.score = phq9_scoring.score(response.answers)
        response.save(update_fields=["score"])
    with time_machine.travel(NOW, tick=True):
        bundle = fhir.patient_bundle(world["pat"])
    issues = [e["resource"] for e in bundle["entry"]]
    issues = [r for r in issues if r["resourceType"] == "DetectedIssue"]
    assert issues
    for resource in issues:
        assert_plain("FHIR DetectedIssue", json.dumps(resource["code"]))
        assert_plain("FHIR DetectedIssue", resource.get("detail", ""))


def test_the_patients_words_are_plain(client_for, world):
    pat = world["pat"]
    with time_machine.travel(NOW, tick=True):
        home = client_for(pat).get("/patient/")
    assert_plain("patient home", visible_text(home.content.decode()))
    for row in api_client_for(pat).get("/api/v1/alerts/").json()["results"]:
        assert_plain("patient API", json.dumps(row))


def test_notification_emails_are_plain(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    rows = list(Notification.objects.select_related("recipient"))
    assert rows
    for row in rows:
        message = build_email(row)
        assert_plain("email subject", message.subject)
        assert_plain("email body", message.body)
    send_pending_notifications()
    assert mail.outbox
    for message in mail.outbox:
        assert_plain("sent email", f"{message.subject}\n{message.body}")


@pytest.mark.parametrize(
    "text",
    [
        "Rule M1 (" + "CLINICAL" + ".md 5)",
        "P7: monitor",
        "see alerts/rules/mood.py",
        "S1 fired",
        "M12",
    ],
)
def test_the_scan_catches_internal_references(text):
    with pytest.raises(AssertionError):
        assert_plain("sample", text)


@pytest.mark.parametrize(
    "text",
    ["PHQ-9 rose from 5 to 13", "ME/CFS", "SSRI + MAOI", "Dunkley 2003", "M 10 20 L 5"],
)
def test_the_scan_leaves_plain_words_alone(text):
    assert_plain("sample", text)
