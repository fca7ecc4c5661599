"""API shapes. Clinicians get the evidence and explanation; patients get plain words only."""

from typing import Any

from rest_framework import serializers

from alerts.models import Alert, AlertEvent
from alerts.selectors import patient_message
from alerts.services.workflow import NOTE_REQUIRED_MESSAGE

NOTE_MAX_LENGTH = 5000
NOTE_REQUIRED = NOTE_REQUIRED_MESSAGE  # one wording: the API checks first, the service again


class AlertEventSerializer(serializers.ModelSerializer[AlertEvent]):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True)

    class Meta:
        model = AlertEvent
        fields = ["id", "kind", "actor", "note", "data", "created_at"]
        read_only_fields = fields


class ClinicianAlertSerializer(serializers.ModelSerializer[Alert]):
    patient = serializers.IntegerField(source="patient_id", read_only=True)
    patient_name = serializers.CharField(source="patient.display_name", read_only=True)
    acknowledged_by = serializers.IntegerField(
        source="acknowledged_by_id", allow_null=True, read_only=True
    )
    resolved_by = serializers.IntegerField(source="resolved_by_id", allow_null=True, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "patient",
            "patient_name",
            "kind",
            "severity",
            "status",
            "title",
            "details",
            "dedupe_key",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
        ]
        read_only_fields = fields


class ClinicianAlertDetailSerializer(ClinicianAlertSerializer):
    events = AlertEventSerializer(many=True, read_only=True)

    class Meta(ClinicianAlertSerializer.Meta):
        fields = [*ClinicianAlertSerializer.Meta.fields, "events"]
        read_only_fields = fields


class PatientAlertSerializer(serializers.ModelSerializer[Alert]):
    """What a patient sees of their own alert: no severity, evidence or clinician wording."""

    message = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "kind", "status", "message", "created_at"]
        read_only_fields = fields

    def get_message(self, alert: Alert) -> str:
        return patient_message(alert)


class NoteSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        trim_whitespace=True,
        error_messages={"required": NOTE_REQUIRED, "blank": NOTE_REQUIRED, "null": NOTE_REQUIRED},
    )


class OptionalNoteSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, trim_whitespace=True
    )
