from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import account, mfa, ratelimits
from accounts.http import request_user
from accounts.lockout import failures_clear_for
from accounts.serializers import (
    MeSerializer,
    PreferencesSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from accounts.tokens import SecondFactorVerified, token_expires_at, token_issue, token_revoke


class TokenWithOtpRequestSerializer(TokenRequestSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="Clinicians and administrators: the current code from the authenticator app "
        "(or an unused recovery code). Tokens for them are only issued with it.",
    )


class TokenWithExpiryResponseSerializer(TokenResponseSerializer):
    expires_at = serializers.DateTimeField()


_LOCKED = inline_serializer("LockedOut", fields={"detail": serializers.CharField()})


class ObtainTokenView(APIView):
    """POST: exchange email and password (and, for clinicians, a TOTP code) for an API token.
    DELETE: revoke the caller's token. Tokens expire after settings.TOKEN_TTL."""

    def get_authenticators(self) -> list[BaseAuthentication]:
        if getattr(self.request, "method", None) == "DELETE":
            return super().get_authenticators()
        return []

    def get_permissions(self) -> list[BasePermission]:
        if getattr(self.request, "method", None) == "DELETE":
            return [IsAuthenticated(), SecondFactorVerified()]
        return [AllowAny()]

    @extend_schema(
        request=TokenWithOtpRequestSerializer,
        responses={200: TokenWithExpiryResponseSerializer, 429: _LOCKED},
    )
    def post(self, request: Request) -> Response:
        serializer = TokenWithOtpRequestSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return Response(
                {
                    "detail": "Too many unsuccessful sign-in attempts. Try again in "
                    f"{minutes} minutes, or ask an administrator to unlock the account."
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        user = serializer.validated_data["user"]
        second_factor = False
        if mfa.mfa_required_for(user):
            code = serializer.validated_data.get("otp") or ""
            if not code:
                return Response(
                    {"otp": ["A code from your authenticator app is required for this account."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            limited = ratelimits.hit(request, ratelimits.MFA_VERIFY, ratelimits.by_account(user))
            if limited:
                return ratelimits.limited_json(limited)
            if mfa.verify_code(user=user, code=code) is None:
                return Response(
                    {"otp": ["That code is not valid."]}, status=status.HTTP_400_BAD_REQUEST
                )
            second_factor = True
        token = token_issue(user=user, second_factor=second_factor)
        failures_clear_for(user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="Token revoked."),
            403: OpenApiResponse(
                _LOCKED, description="A clinician's session has not verified a second factor."
            ),
        },
    )
    def delete(self, request: Request) -> Response:
        token_revoke(user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request_user(request)).data)


class PreferencesView(APIView):
    """GET: the caller's reminders and language. PATCH: change any of them; bad values answer
    400 per field and nothing is stored. Reminders are for patients only."""

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        preference = account.preference_of(request_user(request))
        return Response(PreferencesSerializer(preference).data)

    @extend_schema(request=PreferencesSerializer, responses=PreferencesSerializer)
    def patch(self, request: Request) -> Response:
        serializer = PreferencesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        preference = account.preferences_update(
            user=request_user(request), data=dict(serializer.validated_data)
        )
        return Response(PreferencesSerializer(preference).data)
