"""Login and password-reset protection (OWASP ASVS 2.2.1: anti-automation).

django-axes counts failed sign-ins by username and by address (settings.AXES_*). This module
gives axes the username in one canonical form, whichever door the attempt came through, and
rate-limits password-reset requests, which never call `authenticate` and so are not seen by axes.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.shortcuts import render

from .audit import client_ip

RESET_KEY = "pwreset:{kind}:{value}"


def client_username(request, credentials) -> str | None:
    """The username axes counts: lower-cased, from the credentials or the posted form.

    The login form posts `username`, the token API passes `username=` to `authenticate`; both are
    email addresses, and `Pat@Example.com` must count against the same lock as `pat@example.com`.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username") or data.get("email")
    if not isinstance(value, str):
        return None
    return value.strip().lower() or None


def _hit(kind: str, value: str) -> int:
    """Count one request in the current window; returns the count including this one."""
    key = RESET_KEY.format(kind=kind, value=value)
    window = int(settings.PASSWORD_RESET_RATE_WINDOW.total_seconds())
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def password_reset_allowed(request, email: str) -> bool:
    limit = settings.PASSWORD_RESET_RATE_LIMIT
    by_ip = _hit("ip", client_ip(request) or "unknown")
    by_email = _hit("email", (email or "").strip().lower()[:254])
    return by_ip <= limit and by_email <= limit


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, answering 429 (and sending nothing) past the limit."""

    def form_valid(self, form):
        if not password_reset_allowed(self.request, form.cleaned_data.get("email", "")):
            return render(
                self.request,
                "accounts/locked_out.html",
                {
                    "reason": "password_reset",
                    "cooloff_timedelta": settings.PASSWORD_RESET_RATE_WINDOW,
                },
                status=429,
            )
        return super().form_valid(form)
