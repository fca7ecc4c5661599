"""Session lifetime and two-step verification, enforced for every request.

SessionTimeoutMiddleware: every session ends 12 hours after sign-in (SESSION_ABSOLUTE_TIMEOUT),
however active; clinicians and administrators, who see many patients' records, are also signed
out after 30 minutes without a request (SESSION_IDLE_TIMEOUT; HIPAA 164.312(a)(2)(iii) automatic
logoff). Patients keep only the absolute limit.

MFARequiredMiddleware: a signed-in clinician or administrator whose session has not verified a
second factor reaches nothing but the enrolment/verification pages and sign-out; pages redirect
there, the API answers 403.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa import has_confirmed_device, mfa_required_for
from accounts.models import Role

SESSION_STARTED_KEY = "_portal_auth_started"
LAST_ACTIVITY_KEY = "_portal_last_activity"
# Writing the activity stamp on every request would save the session each time; a minute's
# resolution is plenty for a 30-minute limit.
ACTIVITY_RESOLUTION_SECONDS = 60
IDLE_TIMEOUT_ROLES = (Role.CLINICIAN, Role.ADMIN)

MFA_EXEMPT_PREFIXES = (
    "/accounts/mfa/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
    "/api/v1/auth/token/",
)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _has_idle_timeout(user) -> bool:
    return user.role in IDLE_TIMEOUT_ROLES or user.is_staff


@receiver(user_logged_in, dispatch_uid="portal.middleware.stamp_session_start")
def stamp_session_start(sender, request, user, **kwargs):
    """The 12-hour limit counts from sign-in itself, not from the first request after it."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            expired = self._expired(request, user)
            if expired:
                logout(request)
                if not _is_api(request):
                    messages.info(request, expired)
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('login')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _expired(request, user) -> str:
        """A calm message when the session has run out, else ""; stamps the session."""
        session = request.session
        now = time.time()
        started = session.get(SESSION_STARTED_KEY)
        if started is None:
            session[SESSION_STARTED_KEY] = now
        elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return "For your security you were signed out after 12 hours. Please sign in again."
        if not _has_idle_timeout(user):
            return ""
        last = session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            return (
                f"For your security you were signed out after {minutes} minutes without "
                "activity. Please sign in again."
            )
        if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY_KEY] = now
        return ""


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            mfa_required_for(user)
            and not self._verified(user)
            and not request.path_info.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if _is_api(request):
                return JsonResponse(
                    {
                        "detail": "Two-step verification is required. Verify a code in the portal, "
                        "or request a token with an `otp` code."
                    },
                    status=403,
                )
            target = "mfa-verify" if has_confirmed_device(user) else "mfa-setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(target)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _verified(user) -> bool:
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())
