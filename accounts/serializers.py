import re
from datetime import time
from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts.models import Language, NotificationPreference, User

LOCAL_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


class TokenRequestSerializer(serializers.Serializer[dict[str, Any]]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["email"].lower(),
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with that email and password."]}
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField()


class MeSerializer(serializers.ModelSerializer[User]):
    verified = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "role", "full_name", "verified"]

    def get_verified(self, user: User) -> bool | None:
        if user.role != "clinician":
            return None
        profile = getattr(user, "clinician_profile", None)
        return bool(profile and profile.verified_at)


class LocalTimeField(serializers.TimeField):
    """A wall-clock time without a UTC offset ("20:00" or "20:00:00"): Django's parser would
    silently drop an offset, which would move the reminder."""

    def to_internal_value(self, value: time | str) -> time:
        if isinstance(value, str) and not LOCAL_TIME.fullmatch(value.strip()):
            self.fail("invalid", format="hh:mm[:ss]")
        parsed: time = super().to_internal_value(value)
        return parsed


class PreferencesSerializer(serializers.Serializer[NotificationPreference]):
    """NotificationPreference as the API shows and takes it (PATCH: any subset)."""

    checkin_reminder = serializers.BooleanField(
        required=False, help_text="Daily check-in reminder by email (patients only)."
    )
    checkin_reminder_time = LocalTimeField(
        required=False,
        allow_null=True,
        help_text="The reminder's time of day in the patient's own time zone, e.g. 20:00:00 "
        "(no UTC offset: it follows the patient's zone, summer time included).",
    )
    questionnaire_reminders = serializers.BooleanField(
        required=False, help_text="Email when the PHQ-9 (14 days) or FIQR (30 days) is due."
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
