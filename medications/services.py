"""Writes of medication courses. Each runs in one transaction, stores nothing on bad input
(MedicationInputError with field messages) and calls accounts.changes.patient_data_changed
inside the transaction, so alert evaluation is enqueued only after commit.

Field names in error messages are the API's: drug, dose, unit, frequency, started_on,
stopped_on, reason, prescriber, changed_on.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.changes import patient_data_changed
from accounts.models import RemovedItemKind, User
from accounts.removals import item_removed
from core.errors import FieldErrors
from core.timezones import patient_today
from medications.catalog import drug_lookup, name_suggestions
from medications.models import Frequency, MedicationCourse, Unit

# A start date more than a year ahead is almost certainly a typo (issue 4, "Bad input").
MAX_DAYS_AHEAD = 365
EARLIEST_DATE = date(1900, 1, 1)
NAME_MAX_LENGTH = 120
REASON_MAX_LENGTH = 200
PRESCRIBER_MAX_LENGTH = 120
# Field name -> messages, filled by the cleaners below.
Errors = dict[str, list[str]]
DOSE_MAX = Decimal("9999999.999")  # MedicationCourse.dose: 10 digits, 3 decimal places
DOSE_PLACES = 3

EDITABLE_FIELDS = (
    "drug",
    "dose",
    "unit",
    "frequency",
    "started_on",
    "stopped_on",
    "reason",
    "prescriber",
)

_UNIT_ALIASES = {unit.lower(): unit for unit in Unit.values} | {
    "tablet": Unit.TABLETS,
    "capsule": Unit.CAPSULES,
    "drop": Unit.DROPS,
    "puff": Unit.PUFFS,
    "unit": Unit.UNITS,
    "patches": Unit.PATCH,
    "µg": Unit.MCG,
    "ug": Unit.MCG,
    "ml": Unit.ML,
    "milligram": Unit.MG,
    "milligrams": Unit.MG,
    "microgram": Unit.MCG,
    "micrograms": Unit.MCG,
    "gram": Unit.G,
    "grams": Unit.G,
}
_FREQUENCY_ALIASES = (
    {value: value for value in Frequency.values}
    | {label.lower().replace(" ", "_"): value for value, label in Frequency.choices}
    | {
        "once_daily": Frequency.DAILY,
        "qd": Frequency.DAILY,
        "bid": Frequency.TWICE_DAILY,
        "three_times_a_day": Frequency.THREE_TIMES_DAILY,
        "tid": Frequency.THREE_TIMES_DAILY,
        "four_times_a_day": Frequency.FOUR_TIMES_DAILY,
        "qid": Frequency.FOUR_TIMES_DAILY,
        "nightly": Frequency.AT_BEDTIME,
        "at_night": Frequency.AT_BEDTIME,
        "qhs": Frequency.AT_BEDTIME,
        "prn": Frequency.AS_NEEDED,
        "when_needed": Frequency.AS_NEEDED,
    }
)


class MedicationInputError(FieldErrors):
    """Invalid medication input: ``errors`` maps a field to plain messages."""


def medication_course_create(
    *,
    patient: User,
    drug: str,
    started_on: object,
    dose: object = None,
    unit: object = "",
    frequency: object = None,
    stopped_on: object = None,
    reason: str = "",
    prescriber: str = "",
) -> MedicationCourse:
    """Add a medicine the patient takes. `drug` is any generic or brand name; a name not in
    the catalog is kept as free text (drug=None) and reported as unknown by the engine."""
    values = clean_course_values(
        {
            "drug": drug,
            "dose": dose,
            "unit": unit,
            "frequency": frequency,
            "started_on": started_on,
            "stopped_on": stopped_on,
            "reason": reason,
            "prescriber": prescriber,
        },
        today=patient_today(patient),
    )
    with transaction.atomic():
        course = MedicationCourse.objects.create(
            patient=patient,
            drug=drug_lookup(values["name"]),
            **values,
        )
        patient_data_changed(patient.pk)
    return course


@transaction.atomic
def medication_course_update(
    *, course: MedicationCourse, changes: dict[str, Any]
) -> MedicationCourse:
    """Edit or stop a course (stop = set `stopped_on`, the last day taken)."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise MedicationInputError(
            {field: [gettext_noop("This field cannot be changed.")] for field in unknown}
        )
    course = MedicationCourse.objects.select_for_update().get(pk=course.pk)
    merged = {
        "drug": course.name,
        "dose": course.dose,
        "unit": course.unit,
        "frequency": course.frequency,
        "started_on": course.started_on,
        "stopped_on": course.stopped_on,
        "reason": course.reason,
        "prescriber": course.prescriber,
    } | changes
    values = clean_course_values(merged, today=patient_today(course.patient))
    _check_chain(course, values)
    update_fields = [field for field, value in values.items() if getattr(course, field) != value]
    if values["name"] != course.name:
        course.drug = drug_lookup(values["name"])
        update_fields.append("drug")
    if not update_fields:
        return course
    for field in update_fields:
        if field != "drug":
            setattr(course, field, values[field])
    course.save(update_fields=[*update_fields, "updated_at"])
    patient_data_changed(course.patient_id)
    return course


@transaction.atomic
def medication_course_delete(*, course: MedicationCourse) -> None:
    """Delete a course entered by mistake (not "I no longer take this": that is stop). A dose
    change's later course no longer points at it. Leaves a tombstone and re-evaluates."""
    course = MedicationCourse.objects.select_for_update().get(pk=course.pk)
    patient_id, started_on, pk = course.patient_id, course.started_on, course.pk
    facts = {"name": course.name, "started_on": started_on.isoformat()}
    course.delete()
    item_removed(
        patient_id=patient_id,
        kind=RemovedItemKind.MEDICATION,
        item_date=started_on,
        refs=[f"course:{pk}"],
        course=facts,
    )


def medication_course_stop(*, course: MedicationCourse, stopped_on: object) -> MedicationCourse:
    return medication_course_update(course=course, changes={"stopped_on": stopped_on})


@transaction.atomic
def medication_course_change_dose(
    *,
    course: MedicationCourse,
    dose: object,
    changed_on: object,
    unit: object = None,
    frequency: object = None,
) -> MedicationCourse:
    """End `course` on the day before `changed_on` and start the next course at the new dose
    on `changed_on`, linked by previous_course, so the history keeps every dose.

    The old course ends the day before because stopped_on is the last day taken at that dose:
    the two courses never overlap, and the drug counts without a gap.
    """
    course = MedicationCourse.objects.select_for_update().get(pk=course.pk)
    today = patient_today(course.patient)
    errors: dict[str, list[str]] = {}
    day = _clean_date(changed_on, "changed_on", errors, today=today, required=True)
    values = clean_course_values(
        {
            "drug": course.name,
            "dose": dose,
            "unit": course.unit if unit is None else unit,
            "frequency": course.frequency if frequency is None else frequency,
            "started_on": day or course.started_on,
            "stopped_on": None,
            "reason": course.reason,
            "prescriber": course.prescriber,
        },
        today=today,
        extra_errors=errors,
        dose_required=True,
    )
    day = cast(date, day)  # a missing or bad changed_on raised in clean_course_values
    if day <= course.started_on:
        raise MedicationInputError(
            {
                "changed_on": [
                    gettext("The new dose must start after %(day)s, the day this dose started.")
                    % {"day": course.started_on.isoformat()}
                ]
            }
        )
    if course.stopped_on is not None and course.stopped_on < day - timedelta(days=1):
        raise MedicationInputError(
            {
                "changed_on": [
                    gettext(
                        "This medicine was stopped on %(day)s. Add it again as a new medicine "
                        "instead."
                    )
                    % {"day": course.stopped_on.isoformat()}
                ]
            }
        )
    if MedicationCourse.objects.filter(previous_course=course).exists():
        raise MedicationInputError(
            {
                "non_field_errors": [
                    gettext_noop("This dose was already changed. Change the latest dose.")
                ]
            }
        )
    planned_stop = course.stopped_on if course.stopped_on and course.stopped_on >= day else None
    course.stopped_on = day - timedelta(days=1)
    course.save(update_fields=["stopped_on", "updated_at"])
    values["stopped_on"] = planned_stop
    next_course = MedicationCourse.objects.create(
        patient_id=course.patient_id,
        drug_id=course.drug_id,
        previous_course=course,
        **values,
    )
    patient_data_changed(course.patient_id)
    return next_course


@transaction.atomic
def medication_course_confirm_drug(*, course: MedicationCourse, drug: str) -> MedicationCourse:
    """The patient confirms a "Did you mean ...?" suggestion
    (docs/clinical-rules.md#name-resolution): the free-text course, and its earlier doses, are
    linked to that catalog drug. The name stays as typed.
    Only a suggested drug is accepted: a misspelling is never resolved without the patient."""
    course = MedicationCourse.objects.select_for_update().get(pk=course.pk)
    if course.drug_id is not None:
        raise MedicationInputError({"drug": [gettext_noop("This medicine is already recognised.")]})
    suggested = name_suggestions([course.name]).get(course.name, [])
    chosen = drug_lookup(drug) if isinstance(drug, str) and drug in suggested else None
    if chosen is None:
        raise MedicationInputError(
            {"drug": [gettext_noop("Choose one of the suggested medicines.")]}
        )
    chain, previous = [course.pk], course.previous_course
    while previous is not None and previous.drug_id is None and previous.pk not in chain:
        chain.append(previous.pk)
        previous = previous.previous_course
    MedicationCourse.objects.filter(pk__in=chain).update(drug=chosen, updated_at=timezone.now())
    patient_data_changed(course.patient_id)
    course.refresh_from_db()
    return course


# --- validation -------------------------------------------------------------------------


def clean_course_values(
    raw: Mapping[str, Any],
    *,
    today: date,
    extra_errors: Mapping[str, list[str]] | None = None,
    dose_required: bool = False,
) -> dict[str, Any]:
    """Typed model values from raw input (API JSON or form data); every problem at once."""
    errors: dict[str, list[str]] = dict(extra_errors or {})
    name = _clean_name(raw.get("drug"), errors)
    dose = _clean_dose(raw.get("dose"), errors, required=dose_required)
    unit = _clean_unit(raw.get("unit"), errors, dose=dose)
    frequency = _clean_frequency(raw.get("frequency"), errors)
    started_on = _clean_date(
        raw.get("started_on"), "started_on", errors, today=today, required=True
    )
    stopped_on = _clean_date(raw.get("stopped_on"), "stopped_on", errors, today=today)
    if started_on and stopped_on and stopped_on < started_on:
        errors.setdefault("stopped_on", []).append(
            gettext_noop("The last day taken cannot be before the start date.")
        )
    reason = _clean_text(raw.get("reason"), "reason", errors, REASON_MAX_LENGTH)
    prescriber = _clean_text(raw.get("prescriber"), "prescriber", errors, PRESCRIBER_MAX_LENGTH)
    if errors:
        raise MedicationInputError(errors)
    return {
        "name": name,
        "dose": dose,
        "unit": unit,
        "frequency": frequency,
        "started_on": started_on,
        "stopped_on": stopped_on,
        "reason": reason,
        "prescriber": prescriber,
    }


def _clean_name(value: object, errors: Errors) -> str:
    if value is not None and not isinstance(value, str):
        errors["drug"] = [gettext_noop("Enter the name of the medicine as text.")]
        return ""
    name = " ".join((value or "").split())
    if not name:
        errors["drug"] = [gettext_noop("Enter the name of the medicine.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["drug"] = [_at_most_characters(NAME_MAX_LENGTH)]
    return name


def _clean_dose(value: object, errors: Errors, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors["dose"] = [gettext_noop("Enter the new dose.")]
        return None
    message = gettext_noop("Enter the dose as a number, for example 50 or 0.5.")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        errors["dose"] = [message]
        return None
    try:
        dose = Decimal(str(value).strip())
    except InvalidOperation:
        errors["dose"] = [message]
        return None
    if not dose.is_finite():
        errors["dose"] = [message]
    elif dose <= 0:
        errors["dose"] = [gettext_noop("The dose must be more than 0.")]
    elif dose > DOSE_MAX:
        errors["dose"] = [gettext_noop("That dose is too large. Check the number and the unit.")]
    # Finite here, so the exponent is an int (not "n" or "F").
    elif -cast(int, dose.as_tuple().exponent) > DOSE_PLACES and dose != round(dose, DOSE_PLACES):
        errors["dose"] = [
            gettext("Use at most %(places)s decimal places.") % {"places": DOSE_PLACES}
        ]
    else:
        return dose
    return None


def _clean_unit(value: object, errors: Errors, *, dose: Decimal | None) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if dose is not None:
            errors["unit"] = [gettext_noop("Choose the unit of the dose.")]
        return ""
    unit = _UNIT_ALIASES.get(value.strip().lower()) if isinstance(value, str) else None
    if unit is None:
        errors["unit"] = ["Choose one of: " + ", ".join(Unit.values) + "."]
        return ""
    return unit


def _clean_frequency(value: object, errors: Errors) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Frequency.DAILY
    key = ""
    if isinstance(value, str):
        key = "_".join(value.strip().lower().replace("-", " ").split())
    frequency = _FREQUENCY_ALIASES.get(key)
    if frequency is None:
        errors["frequency"] = ["Choose one of: " + ", ".join(Frequency.values) + "."]
        return Frequency.DAILY
    return frequency


def _clean_date(
    value: object, field: str, errors: Errors, *, today: date, required: bool = False
) -> date | None:
    if value is None or value == "":
        if required:
            errors[field] = [gettext_noop("Enter a date.")]
        return None
    day = value if isinstance(value, date) else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None:
        errors[field] = [gettext_noop("Enter a valid date as YYYY-MM-DD.")]
        return None
    if day < EARLIEST_DATE:
        errors[field] = [
            gettext("Enter a date after %(day)s.") % {"day": EARLIEST_DATE.isoformat()}
        ]
        return None
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        errors[field] = [gettext_noop("This date is more than a year from today. Check the year.")]
        return None
    return day


def _clean_text(value: object, field: str, errors: Errors, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = [gettext_noop("Enter text.")]
        return ""
    text = value.strip()
    if len(text) > max_length:
        errors[field] = [_at_most_characters(max_length)]
    return text


def _at_most_characters(limit: int) -> str:
    # In the language of the request (the page or the API caller's Accept-Language).
    return gettext("Use at most %(limit)s characters.") % {"limit": limit}


def _check_chain(course: MedicationCourse, values: dict[str, Any]) -> None:
    """An edit may not make a dose overlap the next or the previous dose of the chain."""
    next_course = MedicationCourse.objects.filter(previous_course=course).first()
    if next_course is not None and (
        values["stopped_on"] is None or values["stopped_on"] >= next_course.started_on
    ):
        raise MedicationInputError(
            {
                "stopped_on": [
                    gettext("The next dose started on %(day)s; this dose must end before it.")
                    % {"day": next_course.started_on.isoformat()}
                ]
            }
        )
    previous = course.previous_course
    if previous is not None and previous.stopped_on and values["started_on"] <= previous.stopped_on:
        raise MedicationInputError(
            {
                "started_on": [
                    gettext(
                        "The previous dose was taken until %(day)s; this dose must start after it."
                    )
                    % {"day": previous.stopped_on.isoformat()}
                ]
            }
        )
