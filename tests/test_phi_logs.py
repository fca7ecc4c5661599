"""No PHI in logs, emails or task arguments.

A canary string is planted in notes, a medicine's name and a clinician's alert note; the test
drives the API (entries, questionnaires, medications, alert follow-up), its error paths and a
forced failure of the alert task, capturing every log record at DEBUG, every email and the
arguments of every Celery task sent. The canary must appear in none of them.
"""

import json
import logging
from datetime import timedelta

import pytest
from celery.app.task import Task
from django.core import mail
from django.test import Client

from alerts.models import Alert
from journal.models import DailyEntry
from journal.selectors import patient_today
from medications.models import MedicationCourse

CANARY = "Phicanary4f7e"
CANARY_NOTE = f"my neighbour {CANARY} said the dose is too high"
CANARY_MED = f"{CANARY} herbal tea"


@pytest.fixture
def sent_tasks(monkeypatch):
    """Record the name and arguments of every task sent, then send it as usual (eagerly)."""
    sent = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, *rest, **options):
        sent.append((self.name, args, kwargs))
        return original(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    return sent


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    for name in (
        "",
        "django",
        "django.request",
        "celery",
        "alerts",
        "journal",
        "medications",
        "clinic",
        "accounts",
        "portal",
        "axes",
    ):
        logging.getLogger(name).setLevel(logging.DEBUG)
    return caplog


def as_json(client, method, url, body=None):
    payload = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=payload, content_type="application/json")


def everything_logged(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        parts.append(str(getattr(record, "data", "")))
    return "\n".join(parts)


@pytest.mark.clock
def test_the_canary_never_reaches_logs_email_or_task_arguments(
    pat, sam, cleo, all_logs, sent_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    patient = Client()
    patient.force_login(pat)
    clinician = Client()
    clinician.force_login(cleo)
    other = Client()
    other.force_login(sam)
    # The patient's own calendar day (America/New_York), not the server's: between 00:00 and
    # ~05:00 UTC the UTC date is her tomorrow and the entry would be refused as future-dated.
    day = patient_today(pat)
    entry_body = {
        "pain": 8,
        "fatigue": 8,
        "sleep_quality": 2,
        "cognition": 7,
        "mood": 1,
        "pain_regions": [],
        "serotonin_symptoms": ["tremor", "sweating", "agitation"],
        "self_harm_thoughts": True,
        "notes": CANARY_NOTE,
    }
    responses = []
    with django_capture_on_commit_callbacks(execute=True):
        for back in (3, 2, 1):
            body = {**entry_body, "date": (day - timedelta(days=back)).isoformat()}
            responses.append(as_json(patient, "post", "/api/v1/entries/", body))
        # error paths: a duplicate date, bad values next to the canary, a stranger's PATCH
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/entries/",
                {**entry_body, "date": (day - timedelta(days=1)).isoformat()},
            )
        )
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/entries/",
                {**entry_body, "date": "not-a-date", "pain": 99},
            )
        )
        responses.append(
            as_json(patient, "post", "/api/v1/entries/", {"notes": CANARY_NOTE + "\x00"})
        )
        entry = DailyEntry.objects.filter(patient=pat).first()
        responses.append(
            as_json(other, "patch", f"/api/v1/entries/{entry.pk}/", {"notes": CANARY_NOTE})
        )
        responses.append(
            as_json(
                patient,
                "patch",
                f"/api/v1/entries/{entry.pk}/",
                {"notes": CANARY_NOTE + " (edited)", "mood": 0},
            )
        )
        # questionnaires: PHQ-9 with item 9 answered, and an invalid one
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/questionnaires/",
                {"instrument": "phq9", "answers": {"items": [3] * 9}},
            )
        )
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/questionnaires/",
                {"instrument": "phq9", "answers": {"items": [CANARY]}},
            )
        )
        # medicines: a free-text canary, and an interacting pair
        start = (day - timedelta(days=10)).isoformat()
        for name in (CANARY_MED, "sertraline", "tramadol"):
            responses.append(
                as_json(
                    patient,
                    "post",
                    "/api/v1/medications/",
                    {
                        "drug": name,
                        "dose": "50",
                        "unit": "mg",
                        "frequency": "daily",
                        "started_on": start,
                        "reason": CANARY_NOTE,
                    },
                )
            )
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/medications/",
                {"drug": CANARY_MED, "dose": "-5", "unit": "mg", "started_on": "2999-01-01"},
            )
        )
        responses.append(
            as_json(
                patient,
                "post",
                "/api/v1/interactions/check/",
                {"drugs": ["sertraline", CANARY_MED]},
            )
        )
    # the clinician follows up the alerts, with the canary in notes
    alerts = list(Alert.objects.filter(patient=pat))
    assert alerts, "the entries should have raised alerts"
    with django_capture_on_commit_callbacks(execute=True):
        for alert in alerts:
            responses.append(clinician.get(f"/api/v1/alerts/{alert.pk}/"))
            responses.append(
                as_json(
                    clinician, "post", f"/api/v1/alerts/{alert.pk}/notes/", {"note": CANARY_NOTE}
                )
            )
            responses.append(
                as_json(clinician, "post", f"/api/v1/alerts/{alert.pk}/resolve/", {"note": ""})
            )
        responses.append(clinician.get(f"/clinician/patients/{pat.pk}/"))
        responses.append(clinician.get(f"/api/v1/entries/?patient={pat.pk}"))

    # a forced failure of the alert task
    def boom(*args, **kwargs):
        raise RuntimeError("forced failure of the alert evaluation")

    monkeypatch.setattr("alerts.services.sync_alerts", boom)
    monkeypatch.setattr("alerts.services.sync_alerts_batch", boom)
    with django_capture_on_commit_callbacks(execute=True):
        responses.append(
            as_json(patient, "post", "/api/v1/entries/", {**entry_body, "date": day.isoformat()})
        )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert sent_tasks, "tasks were sent"
    assert any("forced failure" in r.getMessage() or r.exc_info for r in all_logs.records)

    logged = everything_logged(all_logs)
    assert logged, "something was logged"
    _debug_where(all_logs)
    assert CANARY not in logged
    for message in mail.outbox:
        text = " ".join(
            [message.subject, message.body]
            + [alt[0] for alt in getattr(message, "alternatives", [])]
        )
        assert CANARY not in text
    for name, args, kwargs in sent_tasks:
        assert CANARY not in repr((args, kwargs)), name
        for value in list(args or ()) + list((kwargs or {}).values()):
            assert isinstance(value, int | list | type(None)), (name, value)


def _debug_where(caplog):  # pragma: no cover - debugging aid
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        if CANARY in text:
            print("LEAK", record.name, record.levelname, text[:300])


# Markup a report renderer could choke on (reportlab used to log the whole paragraph, medicine
# name included, when it failed to parse `x <b`), and a formula for the CSV.
HOSTILE_NAMES = (
    f"{CANARY} x <b",
    f'<a href="http://evil.example">{CANARY}</a>',
    f"<img src='/etc/passwd'/>{CANARY}",
    f'=HYPERLINK("http://evil.example","{CANARY}")',
)


def test_the_canary_never_reaches_logs_from_the_pdf_csv_and_fhir_reports(pat, cleo, all_logs):
    """Reports of a record full of hostile text (names, medicines, notes): every download
    answers 200 and nothing of the record reaches a log record."""
    day = patient_today(pat)
    pat.full_name = f"{CANARY} <font size=40>Pat</font> x <b"
    pat.save(update_fields=["full_name"])
    for back, name in enumerate(HOSTILE_NAMES, start=1):
        MedicationCourse.objects.create(
            patient=pat,
            name=name,
            dose=1,
            unit="mg",
            frequency="daily",
            started_on=day - timedelta(days=10 + back),
        )
        DailyEntry.objects.create(
            patient=pat,
            date=day - timedelta(days=back),
            pain=5,
            fatigue=5,
            sleep_quality=5,
            cognition=5,
            mood=5,
            notes=name,
        )
    clinician = Client()
    clinician.force_login(cleo)
    patient = Client()
    patient.force_login(pat)
    downloads = [
        (clinician, f"/clinician/patients/{pat.pk}/report.pdf"),
        (clinician, f"/clinician/patients/{pat.pk}/report.csv"),
        (clinician, f"/api/v1/patients/{pat.pk}/fhir/"),
        (patient, "/patient/report/report.pdf"),
        (patient, "/patient/report/report.csv"),
        (patient, f"/api/v1/patients/{pat.pk}/fhir/"),
        (clinician, f"/clinician/patients/{pat.pk}/report.pdf?start=x%3Cb{CANARY}"),
    ]
    statuses = [client.get(url).status_code for client, url in downloads]
    assert statuses == [200] * 6 + [400]
    logged = everything_logged(all_logs)
    _debug_where(all_logs)
    assert CANARY not in logged
