"""Login and password-reset protection (OWASP ASVS 2.2.1: anti-automation).

django-axes counts failed sign-ins by username and by address (settings.AXES_*). This module
gives axes the username in one canonical form, whichever door the attempt came through; clears the
failures of a username when that user signs in (and only those: see `failures_clear_for`); and
rate-limits password-reset requests, which never call `authenticate` and so are not seen by axes.
"""

from collections.abc import Mapping
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse

from accounts import ratelimits
from accounts.http import AnyRequest
from accounts.models import User


def client_username(
    request: AnyRequest | None, credentials: Mapping[str, object] | None
) -> str | None:
    """The username axes counts: lower-cased, from the credentials or the posted form.

    The login form posts `username`, the token API passes `username=` to `authenticate`; both are
    email addresses, and `Pat@Example.com` must count against the same lock as `pat@example.com`.
    """
    value: object = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("email")
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


def client_ip(request: AnyRequest) -> str | None:
    """The address lockouts and rate limits count (settings.AXES_CLIENT_IP_CALLABLE).

    With no proxy in front (TRUSTED_PROXY_COUNT = 0) only the socket's address is believed: a
    client could otherwise send any X-Forwarded-For and start each guess from a "new" address.
    Behind N trusted proxies, each appends the address it saw, so the client is the N-th entry
    from the right; entries further left were written by the client and are ignored. A header
    with fewer entries than proxies cannot have come through them all: fall back to the socket.
    """
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]


def failures_clear_for(user: User) -> int:
    """Forget the failed sign-ins against `user`'s username, and nothing else.

    axes' own reset on success (AXES_RESET_ON_SUCCESS, off) deletes every attempt matching the
    username *or the address*: an attacker could then guess 4 passwords against a victim, sign in
    to their own account from the same address, and start again, never reaching the lock.
    Failures recorded under this username from any address are the user's own to clear; the
    address's failures against other usernames stay, so the address lock still counts them.
    """
    username = client_username(None, {"username": user.get_username()})
    if not username:
        return 0
    deleted: int = AccessAttempt.objects.filter(username=username).delete()[0]
    return deleted


@receiver(user_logged_in, dispatch_uid="accounts.lockout.clear_own_failures")
def clear_own_failures(
    sender: type[User], request: AnyRequest | None, user: User, **kwargs: Any
) -> None:
    failures_clear_for(user)


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, answering 429 (and sending nothing) past the limit, counted per
    address and per email."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data.get("email", "")
        limited = ratelimits.hit(
            self.request,
            ratelimits.PASSWORD_RESET,
            ratelimits.by_address,
            ratelimits.by_value(email),
        )
        if limited:
            return ratelimits.limited_page(self.request, limited)
        return super().form_valid(form)
