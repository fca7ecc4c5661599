"""API tokens that expire (settings.TOKEN_TTL) and can be revoked (DELETE /api/v1/auth/token/).

Each token carries a TokenGrant: whether a second factor was verified when it was issued and
the user's privileges at the time. A clinician's or administrator's token is accepted only with
a second factor, and no token outlives a change of its user's role, flags or credentials epoch.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import BasePermission

from accounts.mfa import mfa_required_for
from accounts.models import TokenGrant, User

if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads DEFAULT_AUTHENTICATION_CLASSES (this module)
    # when it is imported.
    from rest_framework.request import Request
    from rest_framework.views import APIView


def token_expires_at(token: Token) -> datetime:
    expires_at: datetime = token.created + settings.TOKEN_TTL
    return expires_at


def token_is_expired(token: Token, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= token_expires_at(token)


def _grant_of(token: Token) -> TokenGrant | None:
    try:
        return token.grant
    except TokenGrant.DoesNotExist:
        return None


def token_refusal(token: Token) -> str:
    """Why `token` may not be used now ("" when it may). Expiry is checked separately."""
    from accounts.mfa import mfa_required_for

    user = token.user
    grant = _grant_of(token)
    if grant is not None and grant.privileges != user.privileges:
        return "This account's access changed since the token was issued. Request a new one."
    if mfa_required_for(user) and (grant is None or not grant.second_factor):
        return "This token was issued without a two-step verification code. Request a new one."
    return ""


@transaction.atomic
def token_issue(*, user: User, second_factor: bool = False) -> Token:
    """The user's current token, or a fresh one when there is none or it cannot be used.

    `second_factor`: the caller verified a code from the user's authenticator app (or a
    recovery code) in this request.
    """
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None:
        grant = _grant_of(token)
        reusable = (
            not token_is_expired(token)
            and grant is not None
            and grant.privileges == user.privileges
            and (grant.second_factor or not second_factor)
        )
        if not reusable:
            token.delete()
            token = None
    if token is None:
        token = Token.objects.create(user=user)
        TokenGrant.objects.create(
            token=token, second_factor=second_factor, privileges=user.privileges
        )
    return token


def token_revoke(*, user: User) -> int:
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF token authentication that refuses (and deletes) tokens that are expired, were issued
    to a clinician or administrator without a second factor, or predate a change of access."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        # DRF's lookup, with the grant fetched in the same query.
        try:
            token = Token.objects.select_related("user", "grant").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token_is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed("Token has expired. Request a new one.")
        refusal = token_refusal(token)
        if refusal:
            token.delete()
            raise exceptions.AuthenticationFailed(refusal)
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

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        user = request.user
        if not mfa_required_for(user):
            return True
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return True
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())
