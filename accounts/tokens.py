"""API tokens that expire (settings.TOKEN_TTL) and can be revoked (DELETE /api/v1/auth/token/)."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from .mfa import mfa_required_for


def token_expires_at(token: Token):
    return token.created + settings.TOKEN_TTL


def token_is_expired(token: Token, now=None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's current token, or a fresh one when there is none or it has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_is_expired(token):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
    return token


def token_revoke(*, user) -> int:
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF token authentication that refuses (and deletes) tokens older than TOKEN_TTL."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("Token has expired. Request a new one.")
        return user, token


class SecondFactorVerified(BasePermission):
    """Managing tokens needs a verified sign-in, not only a password (issue 10, finding 12).

    The token endpoint is exempt from MFARequiredMiddleware (a clinician asks for a token with
    password and code); so a clinician's or administrator's session that has only passed the
    password may not use it to revoke tokens. A token itself stands for a verified sign-in:
    for them it is only issued with a code.
    """

    message = (
        "Two-step verification is required. Verify a code in the portal, or use a token "
        "requested with an `otp` code."
    )

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not mfa_required_for(user):
            return True
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return True
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())
