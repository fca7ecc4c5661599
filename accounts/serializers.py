from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from accounts.models import User


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
