"""Writes of the patient journal: daily entries and questionnaire responses.

Every write runs in one transaction, stores nothing on bad input (InstrumentError with field
messages), and calls accounts.changes.patient_data_changed inside the transaction so the alert
evaluation is announced only after commit. Whether the patient must see crisis resources (rule
M1) or an urgent-care notice (rule S1, through journal.safety) is decided here, synchronously,
and returned to the view: it never waits on the background job
(docs/clinical-rules.md#crisis-resources).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.changes import patient_data_changed
from accounts.models import RemovedItemKind, User
from accounts.removals import item_removed
from core.timezones import patient_local_date, patient_today
from journal.instruments import InstrumentError, acr2016, fiqr, phq9
from journal.instruments.checkin import clean_entry_values
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from journal.safety import NOTICE_TELL_CLINICIAN, NOTICE_URGENT_CARE, symptom_notice

SCORERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    Instrument.PHQ9: phq9.score,
    Instrument.FIQR: fiqr.score,
    Instrument.ACR2016: acr2016.score,
}

DUPLICATE_DATE_MESSAGE = "You already have a check-in for this date. Edit that one instead."
FUTURE_DATE_MESSAGE = "This date is in the future. You can log today or earlier days."
# docs/clinical-rules.md#daily-check-in (v2): a back-filled check-in is at most a year old and
# never before the patient was born (a mistyped year would otherwise feed the mood rules).
MAX_BACKFILL_DAYS = 365
TOO_OLD_DATE_MESSAGE = (
    f"This date is more than {MAX_BACKFILL_DAYS} days ago. You can log days of the last year."
)
BEFORE_BIRTH_DATE_MESSAGE = "This date is before your date of birth. Please check the year."


@dataclass(frozen=True, slots=True)
class EntryResult:
    entry: DailyEntry
    created: bool
    crisis: bool  # M1: show crisis resources on the very next page / in the response
    urgent_care: bool  # S1, entry of T-2..T: tell the patient to seek urgent care now
    # S1, back-filled entry (before T-2): tell the patient to tell their clinician (no urgent care)
    tell_clinician: bool = False


@dataclass(frozen=True, slots=True)
class QuestionnaireResult:
    response: QuestionnaireResponse
    crisis: bool


def entry_needs_crisis(entry: DailyEntry) -> bool:
    return phq9.m1_applies(self_harm_thoughts=entry.self_harm_thoughts)


def response_needs_crisis(response: QuestionnaireResponse) -> bool:
    if response.instrument != Instrument.PHQ9:
        return False
    return phq9.m1_applies(item9=response.score.get("item9"))


def _check_date(*, patient: User, entry_date: object) -> None:
    if not isinstance(entry_date, date):
        raise InstrumentError({"date": ["Enter a valid date."]})
    today = patient_today(patient)
    if entry_date > today:
        raise InstrumentError({"date": [FUTURE_DATE_MESSAGE]})
    profile = getattr(patient, "patient_profile", None)
    date_of_birth = getattr(profile, "date_of_birth", None)
    if date_of_birth is not None and entry_date < date_of_birth:
        raise InstrumentError({"date": [BEFORE_BIRTH_DATE_MESSAGE]})
    if (today - entry_date).days > MAX_BACKFILL_DAYS:
        raise InstrumentError({"date": [TOO_OLD_DATE_MESSAGE]})


def _result(entry: DailyEntry, *, created: bool) -> EntryResult:
    notice = symptom_notice(patient=entry.patient, symptoms=entry.serotonin_symptoms, on=entry.date)
    return EntryResult(
        entry=entry,
        created=created,
        crisis=entry_needs_crisis(entry),
        urgent_care=notice == NOTICE_URGENT_CARE,
        tell_clinician=notice == NOTICE_TELL_CLINICIAN,
    )


@transaction.atomic
def daily_entry_save(
    *, patient: User, entry_date: date, values: dict[str, Any], replace: bool = True
) -> EntryResult:
    """Create the entry for `entry_date`, or edit it in place when `replace` (the check-in page).

    With `replace=False` (API POST) a second entry for the same date is refused with a `date`
    error. Back-filled past dates are allowed; future dates (patient's time zone) are refused.
    """
    cleaned = clean_entry_values(values)
    _check_date(patient=patient, entry_date=entry_date)
    entry = DailyEntry.objects.select_for_update().filter(patient=patient, date=entry_date).first()
    if entry is not None and not replace:
        raise InstrumentError({"date": [DUPLICATE_DATE_MESSAGE]})
    created = entry is None
    if entry is None:
        entry = DailyEntry(patient=patient, date=entry_date, **cleaned)
        try:
            # A savepoint, so a concurrent insert for the same day leaves the outer
            # transaction usable and answers like any other duplicate.
            with transaction.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            raise InstrumentError({"date": [DUPLICATE_DATE_MESSAGE]}) from None
    else:
        for field, value in cleaned.items():
            setattr(entry, field, value)
        entry.save(update_fields=[*cleaned, "updated_at"])
    patient_data_changed(patient.pk)
    return _result(entry, created=created)


@transaction.atomic
def daily_entry_update(*, entry: DailyEntry, values: dict[str, Any]) -> EntryResult:
    """Change some fields of an entry (API PATCH); moving it onto a taken date is refused."""
    values = dict(values)
    new_date = values.pop("date", entry.date)
    cleaned = clean_entry_values(values, partial=True)
    if new_date != entry.date:
        _check_date(patient=entry.patient, entry_date=new_date)
        taken = DailyEntry.objects.filter(patient_id=entry.patient_id, date=new_date).exists()
        if taken:
            raise InstrumentError({"date": [DUPLICATE_DATE_MESSAGE]})
        cleaned["date"] = new_date
    for field, value in cleaned.items():
        setattr(entry, field, value)
    try:
        with transaction.atomic():
            entry.save(update_fields=[*cleaned, "updated_at"])
    except IntegrityError:
        raise InstrumentError({"date": [DUPLICATE_DATE_MESSAGE]}) from None
    patient_data_changed(entry.patient_id)
    return _result(entry, created=False)


@transaction.atomic
def daily_entry_delete(*, entry: DailyEntry) -> None:
    """Delete a check-in (the patient's own, entered by mistake): leaves a tombstone for the
    clinicians and re-evaluates the alerts (accounts.removals)."""
    patient_id, day, ref = entry.patient_id, entry.date, f"entry:{entry.pk}"
    entry.delete()
    item_removed(patient_id=patient_id, kind=RemovedItemKind.CHECKIN, item_date=day, refs=[ref])


@transaction.atomic
def questionnaire_response_delete(*, response: QuestionnaireResponse) -> None:
    """Delete a questionnaire response, like daily_entry_delete."""
    patient = response.patient
    refs = [f"{response.instrument}:{response.pk}", f"response:{response.pk}"]
    day = patient_local_date(patient, response.completed_at)
    kind = response.instrument
    response.delete()
    item_removed(patient_id=patient.pk, kind=kind, item_date=day, refs=refs)


@transaction.atomic
def questionnaire_submit(
    *, patient: User, instrument: str, answers: dict[str, Any], completed_at: datetime | None = None
) -> QuestionnaireResult:
    """Score `answers` with the pure instrument module and store answers and score together."""
    scorer = SCORERS.get(instrument)
    if scorer is None:
        raise InstrumentError({"instrument": ["Choose one of: phq9, fiqr, acr2016."]})
    score = scorer(answers)
    response = QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=instrument,
        answers=answers,
        score=score,
        completed_at=completed_at or timezone.now(),
    )
    patient_data_changed(patient.pk)
    return QuestionnaireResult(response=response, crisis=response_needs_crisis(response))
