"""API shapes. Input values are validated by journal.instruments (strict ints, codes, ranges)."""

from rest_framework import serializers

from journal.instruments.codes import SEROTONIN_SYMPTOMS, WPI_REGIONS
from journal.models import DailyEntry, Instrument, QuestionnaireResponse


class CrisisSerializer(serializers.Serializer):
    message = serializers.CharField()
    lines = serializers.ListField(child=serializers.DictField())
    care_team_note = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
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


class EntryWriteSerializer(serializers.Serializer):
    """Documents the request body. Scales are whole numbers 0-10 (JSON integers only)."""

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


class EntryWithCrisisSerializer(EntrySerializer):
    crisis = CrisisSerializer(required=False, help_text="Present only when rule M1 fires.")

    class Meta(EntrySerializer.Meta):
        fields = [*EntrySerializer.Meta.fields, "crisis"]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionnaireResponse
        fields = ["id", "patient", "instrument", "answers", "score", "completed_at"]
        read_only_fields = fields


class QuestionnaireWriteSerializer(serializers.Serializer):
    instrument = serializers.ChoiceField(choices=Instrument.choices)
    answers = serializers.JSONField(
        help_text=(
            'phq9: {"items": [9 ints 0-3]}; fiqr: {"function": [9], "overall": [2], '
            '"symptoms": [10]} ints 0-10, null = missing; acr2016: {"regions": [...], "fatigue", '
            '"waking_unrefreshed", "cognitive", "headaches", "lower_abdominal_pain", '
            '"depression", "duration_3_months"}'
        )
    )


class QuestionnaireWithCrisisSerializer(QuestionnaireSerializer):
    crisis = CrisisSerializer(required=False, help_text="Present only when rule M1 fires.")

    class Meta(QuestionnaireSerializer.Meta):
        fields = [*QuestionnaireSerializer.Meta.fields, "crisis"]
        read_only_fields = fields
