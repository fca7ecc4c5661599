"""API shapes. Input is validated by the pure cleaners of journal.instruments (strict ints,
codes, ranges): the same functions the check-in and questionnaire pages reach through
journal.services, so both accept the same values with the same messages."""

from datetime import date
from typing import Any

from rest_framework import serializers

from core.api import CleanedInput
from core.errors import FieldErrors
from journal.instruments import InstrumentError
from journal.instruments.checkin import clean_entry_values
from journal.instruments.codes import SEROTONIN_SYMPTOMS, WPI_REGIONS
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from journal.services import SCORERS

DATE_MESSAGE = "Enter a valid date as YYYY-MM-DD."
INSTRUMENT_MESSAGE = "Choose one of: phq9, fiqr, acr2016."


class CrisisSerializer(serializers.Serializer[dict[str, Any]]):
    message = serializers.CharField()
    lines = serializers.ListField(child=serializers.DictField())
    care_team_note = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer[DailyEntry]):
    class Meta:
        model = DailyEntry
        fields = [
            "id",
            "patient",
            "date",
            "pain",
            "fatigue",
            "sleep_quality",
            "cognition",
            "mood",
            "pain_regions",
            "serotonin_symptoms",
            "self_harm_thoughts",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _iso_date(value: object) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise FieldErrors({"date": [DATE_MESSAGE]})


class EntryWriteSerializer(CleanedInput):
    """Scales are whole numbers 0-10 (JSON integers only). Output fields sent back are ignored."""

    # PATCH uses partial=True. Without a date (or with null on POST) the validated data has
    # none and the view uses the patient's today.
    ignored_input = frozenset({"id", "patient", "created_at", "updated_at", "crisis"})

    date = serializers.DateField(required=False, help_text="Defaults to today (patient's zone).")
    pain = serializers.IntegerField(min_value=0, max_value=10)
    fatigue = serializers.IntegerField(min_value=0, max_value=10)
    sleep_quality = serializers.IntegerField(min_value=0, max_value=10)
    cognition = serializers.IntegerField(min_value=0, max_value=10)
    mood = serializers.IntegerField(min_value=0, max_value=10)
    pain_regions = serializers.ListField(
        child=serializers.ChoiceField(choices=WPI_REGIONS), required=False
    )
    serotonin_symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=SEROTONIN_SYMPTOMS), required=False
    )
    self_harm_thoughts = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        raw_date = values.pop("date", None)
        # A null date means "today" on create; on an edit it is a bad value like any other.
        has_date = raw_date is not None or (self.partial and "date" in self.initial_data)
        cleaned = {"date": _iso_date(raw_date)} if has_date else {}
        return {**cleaned, **clean_entry_values(values, partial=self.partial)}


class NoticeSerializer(serializers.Serializer[dict[str, str]]):
    message = serializers.CharField()


class EntryWithCrisisSerializer(EntrySerializer):
    crisis = CrisisSerializer(
        required=False, help_text="Present only when the answers report thoughts of self-harm."
    )
    urgent_care = NoticeSerializer(
        required=False,
        help_text="Present when 3 or more serotonin toxicity symptoms are ticked on an entry of "
        "the last three days with a serotonergic risk: get urgent care now.",
    )
    tell_clinician = NoticeSerializer(
        required=False,
        help_text="The same for a back-filled entry (older than two days): tell your clinician; "
        "`urgent_care` is then absent.",
    )

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "crisis", "urgent_care", "tell_clinician"]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer[QuestionnaireResponse]):
    class Meta:
        model = QuestionnaireResponse
        fields = ["id", "patient", "instrument", "answers", "score", "completed_at"]
        read_only_fields = fields


def _answers_errors(errors: dict[str, list[str]]) -> dict[str, Any]:
    """Scoring errors belong to `answers`; keep `instrument` errors at the top level."""
    if "instrument" in errors or set(errors) == {"answers"}:
        return errors
    return {"answers": errors}


class QuestionnaireWriteSerializer(CleanedInput):
    # The answers are checked by the instrument's pure scorer, as on the questionnaire pages.
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = serializers.JSONField(
        help_text=(
            'phq9: {"items": [9 ints 0-3]}; fiqr: {"function": [9], "overall": [2], '
            '"symptoms": [10]} ints 0-10, null = missing; acr2016: {"regions": [...], "fatigue", '
            '"waking_unrefreshed", "cognitive", "headaches", "lower_abdominal_pain", '
            '"depression", "duration_3_months"}'
        )
    )

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        missing = [field for field in ("instrument", "answers") if field not in values]
        if missing:
            raise FieldErrors({field: ["This field is required."] for field in missing})
        instrument = values["instrument"]
        if instrument not in Instrument.values:
            raise FieldErrors({"instrument": [INSTRUMENT_MESSAGE]})
        try:
            SCORERS[instrument](values["answers"])
        except InstrumentError as error:
            # Nested ({"answers": {"function": [...]}}), which FieldErrors does not carry.
            raise serializers.ValidationError(_answers_errors(error.errors)) from None
        return {"instrument": instrument, "answers": values["answers"]}


class QuestionnaireWithCrisisSerializer(QuestionnaireSerializer):
    crisis = CrisisSerializer(
        required=False, help_text="Present only when the answers report thoughts of self-harm."
    )

    class Meta(QuestionnaireSerializer.Meta):
        fields = [*QuestionnaireSerializer.Meta.fields, "crisis"]
        read_only_fields = fields
