"""API shapes. Clinicians get the evidence and explanation; patients get plain words only."""

from datetime import date
from typing import Any

from rest_framework import serializers

from accounts.models import User
from alerts.models import Alert, AlertEvent
from alerts.selectors import care_team_seen_message, care_team_seen_on, patient_message
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
    assigned_to = serializers.IntegerField(
        source="assigned_to_id",
        allow_null=True,
        read_only=True,
        help_text='The member who took the alert on ("I\'ll take it"), or null.',
    )

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
            "assigned_to",
            "assigned_at",
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
    seen_on = serializers.SerializerMethodField(
        help_text="Self-harm alerts: the patient's local date a clinician saw it, else null."
    )
    seen_message = serializers.SerializerMethodField(
        help_text='Self-harm alerts, once seen: "Your care team has seen this on <date>."'
    )

    class Meta:
        model = Alert
        fields = ["id", "kind", "status", "message", "seen_on", "seen_message", "created_at"]
        read_only_fields = fields

    def get_message(self, alert: Alert) -> str:
        return patient_message(alert)

    def _patient(self, alert: Alert) -> User:
        # The caller is the patient (PatientAlertSerializer serves only their own alerts):
        # their profile is loaded once for the page, not once per alert.
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.pk == alert.patient_id:
            return user
        return alert.patient

    def get_seen_on(self, alert: Alert) -> date | None:
        return care_team_seen_on(alert, self._patient(alert))

    def get_seen_message(self, alert: Alert) -> str | None:
        return care_team_seen_message(self.get_seen_on(alert)) or None


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
