"""Reads for the alert rules: many patients' recent data in a fixed number of queries.

`load_snapshots(profiles)` turns claimed profiles (alerts.services.sync locks and stamps them)
into the pure rules' `PatientSnapshot`s with four queries however many patients the batch
holds: entries, the mood baseline aggregated in the database, PHQ-9 responses and medication
courses (plus one for the ingredients when a course is of a combination product). Rows are
read as plain values, never as model instances, because the nightly sweep reads every patient.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    TextField,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, RowNumber

from alerts.rules.facts import ENTRY_LOOKBACK_DAYS, EntryFacts, PatientSnapshot, Phq9Facts
from alerts.rules.mood import PHQ9_HISTORY_DAYS, m4_first_day, m5_windows
from core.db import id_in
from core.timezones import local_date
from journal.instruments.phq9 import M1_ITEM9_MIN
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from medications.black_box import DOSE_CHANGE_UNKNOWN, DoseFacts, dose_change_between
from medications.catalog import class_codes, drug_facts_of
from medications.interactions import CourseFacts, DrugFacts
from medications.models import Drug, MedicationCourse

# The PHQ-9 responses the rules need: the latest and the one before it (the fallback baseline of
# the PHQ-9 rise, whatever its age), every response in the 90 days before the latest (the rise's
# lowest baseline and the earlier severe scores), and every response with item 9 at or above
# the self-harm threshold (whatever its date).
PHQ9_LATEST_RESPONSES = 2
# In UTC: two days more than the rules' 90 patient-local days, so a response that local dates
# put inside the window is never missed; the rules apply the exact local bound.
PHQ9_HISTORY_SLACK = timedelta(days=PHQ9_HISTORY_DAYS + 2)


def age_on(date_of_birth: date | None, on: date) -> int | None:
    if date_of_birth is None:
        return None
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


@dataclass
class Profile:
    """One patient as the loaders see them: their local "today" and age on it."""

    patient_id: int
    tz: str
    today: date
    age: int | None
    # Data changed since the last evaluation (or never evaluated): old entries are read too.
    changed: bool = True


_EMPTY_JSON_LISTS = frozenset({None, "", "[]", "null"})


def _symptom_codes(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    if isinstance(value, str):  # a backend that double-encodes
        return _symptom_codes(value)
    return tuple(code for code in value if isinstance(code, str)) if isinstance(value, list) else ()


def _by_today(profiles: list[Profile]) -> dict[date, list[int]]:
    # Patients' "today" differs by time zone: at most two or three dates at any moment.
    groups: dict[date, list[int]] = defaultdict(list)
    for profile in profiles:
        groups[profile.today].append(profile.patient_id)
    return groups


def _load_entries(profiles: list[Profile]) -> dict[int, list[EntryFacts]]:
    """Entries the rules read one by one: T-8..T (low-mood runs ending in the last 7 days; the
    last 7 days' mean), the window's entries with symptoms or self-harm ticked, and back-dated
    self-harm or symptom ticks of changed patients (a back-filled check-in may be up to a year
    old). The older moods of the mean's baseline come aggregated from _load_mood_baselines."""
    window_days = timedelta(days=ENTRY_LOOKBACK_DAYS)
    flagged = Q(self_harm_thoughts=True) | ~Q(serotonin_symptoms=[])
    # One date bound for the batch (the earliest "today"); each patient's own bounds are applied
    # below, which keeps the SQL to one array of ids however many time zones the batch spans.
    earliest = min(p.today for p in profiles)
    recent_first = {p.patient_id: m4_first_day(p.today) for p in profiles}
    changed = [p.patient_id for p in profiles if p.changed]
    wanted = id_in("patient_id", [p.patient_id for p in profiles]) & (
        Q(date__gte=m4_first_day(earliest)) | (Q(date__gte=earliest - window_days) & flagged)
    )
    if changed:
        wanted |= id_in("patient_id", changed) & flagged
    by_id = {p.patient_id: p for p in profiles}
    rows = (
        DailyEntry.objects.filter(wanted)
        .order_by("patient_id", "date")
        # As text: decoding a JSON value per row dominated the nightly sweep.
        .annotate(symptoms_text=Cast("serotonin_symptoms", TextField()))
        .values_list("patient_id", "id", "date", "mood", "symptoms_text", "self_harm_thoughts")
    )
    entries: dict[int, list[EntryFacts]] = defaultdict(list)
    for patient_id, entry_id, day, mood, symptoms_text, self_harm in rows:
        profile = by_id[patient_id]
        symptoms = () if symptoms_text in _EMPTY_JSON_LISTS else _symptom_codes(symptoms_text)
        recent = day >= recent_first[patient_id]
        in_window = day >= profile.today - window_days and (symptoms or self_harm)
        flagged_row = bool(symptoms) or self_harm
        if not (recent or in_window or (flagged_row and profile.changed)):
            continue
        entries[patient_id].append(
            EntryFacts(
                id=entry_id,
                date=day,
                mood=mood,
                serotonin_symptoms=symptoms,
                self_harm_thoughts=self_harm,
            )
        )
    return entries


def _load_mood_baselines(profiles: list[Profile]) -> dict[int, tuple[int, int]]:
    """(entries, sum of moods) over T-34..T-7 per patient, aggregated in the database (M5)."""
    window = Q(pk__in=[])
    for today, ids in _by_today(profiles).items():
        days = m5_windows(today)
        window |= id_in("patient_id", ids) & Q(
            date__gte=days.baseline_first, date__lte=days.baseline_last
        )
    rows = (
        DailyEntry.objects.filter(window)
        .values("patient_id")
        .annotate(count=Count("mood"), total=Sum("mood"))
        .order_by()
        .values_list("patient_id", "count", "total")
    )
    return {patient_id: (count, total or 0) for patient_id, count, total in rows}


def _load_phq9(profiles: list[Profile]) -> dict[int, list[Phq9Facts]]:
    by_id = {p.patient_id: p for p in profiles}
    rows = (
        QuestionnaireResponse.objects.filter(id_in("patient_id", by_id), instrument=Instrument.PHQ9)
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("patient_id")],
                order_by=[F("completed_at").desc(), F("id").desc()],
            ),
            latest_at=Window(Max("completed_at"), partition_by=[F("patient_id")]),
        )
        .filter(
            Q(recency__lte=PHQ9_LATEST_RESPONSES)
            | Q(completed_at__gte=F("latest_at") - PHQ9_HISTORY_SLACK)
            | Q(score__item9__gte=M1_ITEM9_MIN)
        )
        .order_by("patient_id", "completed_at", "id")
        .annotate(
            total=Cast(KT("score__total"), IntegerField()),
            item9=Cast(KT("score__item9"), IntegerField()),
        )
        .values_list("patient_id", "id", "completed_at", "total", "item9")
    )
    responses: dict[int, list[Phq9Facts]] = defaultdict(list)
    for patient_id, response_id, completed_at, total, item9 in rows:
        profile = by_id[patient_id]
        completed_on = local_date(completed_at, profile.tz)
        if total is None:
            continue
        responses[patient_id].append(
            Phq9Facts(id=response_id, completed_on=completed_on, total=total, item9=item9 or 0)
        )
    return responses


def _class_codes_of_text(
    memo: dict[str | None, tuple[str, ...]], text: str | None
) -> tuple[str, ...]:
    """Drug.classes read as JSON text (one decode per distinct value, not per row)."""
    codes = memo.get(text)
    if codes is None:
        try:
            value = json.loads(text) if text else []
        except ValueError:
            value = []
        if isinstance(value, str):  # a backend that double-encodes
            value = json.loads(value) if value.startswith("[") else []
        codes = memo[text] = class_codes(value)
    return codes


def _load_ingredients(product_ids: set[int]) -> dict[int, tuple[DrugFacts, ...]]:
    """The facts of every ingredient of these combination products, in one query."""
    if not product_ids:
        return {}
    memo: dict[str | None, tuple[str, ...]] = {}
    # From the ingredient side: `products` is the reverse of Drug.ingredients.
    rows = (
        Drug.objects.filter(products__id__in=sorted(product_ids))
        .annotate(product_id=F("products__id"), classes_text=Cast("classes", TextField()))
        .order_by("product_id", "name")
        .values_list(
            "product_id",
            "id",
            "name",
            "serotonergic",
            "washout_days",
            "suicidality_warning",
            "classes_text",
        )
    )
    parts: dict[int, list[DrugFacts]] = defaultdict(list)
    for product_id, drug_id, name, tier, washout, warning, classes_text in rows:
        if drug_id == product_id:
            continue  # a product listed as its own ingredient (an admin slip)
        parts[product_id].append(
            drug_facts_of(name, tier, washout, warning, _class_codes_of_text(memo, classes_text))
        )
    return {product_id: tuple(facts) for product_id, facts in parts.items()}


def _load_courses(profiles: list[Profile]) -> dict[int, list[CourseFacts]]:
    """Every course of these patients as CourseFacts, with the drugs' classes, a combination
    product's ingredients and when each course was recorded: one query, plus one for the
    ingredients when some course is of a combination product (constant for any number of
    patients)."""
    rows = list(
        MedicationCourse.objects.filter(id_in("patient_id", [p.patient_id for p in profiles]))
        .order_by("patient_id", "started_on", "id")
        .annotate(
            drug_classes_text=Cast("drug__classes", TextField()),
            is_product=Exists(
                Drug.ingredients.through.objects.filter(from_drug_id=OuterRef("drug_id"))
            ),
        )
        .values_list(
            "patient_id",
            "id",
            "previous_course_id",
            "dose",
            "unit",
            "frequency",
            "name",
            "started_on",
            "stopped_on",
            "drug_id",
            "drug__name",
            "drug__serotonergic",
            "drug__washout_days",
            "drug__suicidality_warning",
            "drug_classes_text",
            "is_product",
            "created_at",
        )
    )
    ingredients = _load_ingredients({row[9] for row in rows if row[15]})
    memo: dict[str | None, tuple[str, ...]] = {}
    # Dose changes link a course to the one it continues (docs/clinical-rules.md#black-box-window).
    doses: dict[int, DoseFacts] = {row[1]: (row[3], row[4], row[5]) for row in rows}
    continued = {row[2] for row in rows if row[2] is not None}
    courses: dict[int, list[CourseFacts]] = defaultdict(list)
    for (
        patient_id,
        course_id,
        previous_id,
        dose,
        unit,
        frequency,
        name,
        started,
        stopped,
        drug_id,
        d_name,
        tier,
        washout,
        warning,
        classes_text,
        _is_product,
        created_at,
    ) in rows:
        drug = (
            None
            if drug_id is None
            else drug_facts_of(
                d_name,
                tier,
                washout,
                warning,
                _class_codes_of_text(memo, classes_text),
                ingredients.get(drug_id, ()),
            )
        )
        dose_change = None
        if previous_id is not None:
            previous = doses.get(previous_id)
            dose_change = (
                DOSE_CHANGE_UNKNOWN
                if previous is None
                else dose_change_between(previous, (dose, unit, frequency))
            )
        courses[patient_id].append(
            CourseFacts(
                name=name,
                drug=drug,
                started_on=started,
                stopped_on=stopped,
                dose_change=dose_change,
                continued=course_id in continued,
                recorded_at=created_at,
            )
        )
    return courses


def load_snapshots(profiles: list[Profile]) -> list[PatientSnapshot]:
    """Four queries for any number of patients (five when some course is of a combination
    product: its ingredients)."""
    if not profiles:
        return []
    entries = _load_entries(profiles)
    baselines = _load_mood_baselines(profiles)
    phq9 = _load_phq9(profiles)
    courses = _load_courses(profiles)
    return [
        PatientSnapshot(
            patient_id=p.patient_id,
            today=p.today,
            age=p.age,
            entries=tuple(entries.get(p.patient_id, ())),
            phq9=tuple(phq9.get(p.patient_id, ())),
            courses=tuple(courses.get(p.patient_id, ())),
            mood_baseline=baselines.get(p.patient_id, (0, 0)),
        )
        for p in profiles
    ]
