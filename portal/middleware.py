"""Session lifetime and two-step verification, enforced for every request.

SessionTimeoutMiddleware: every session ends 12 hours after sign-in (SESSION_ABSOLUTE_TIMEOUT),
however active; clinicians and administrators, who see many patients' records, are also signed
out after 30 minutes without a request (SESSION_IDLE_TIMEOUT; HIPAA 164.312(a)(2)(iii) automatic
logoff). Patients keep only the absolute limit, and a patient who ticked "keep me signed in on
this device" at sign-in has 30 days instead (PATIENT_KEEP_SIGNED_IN; accounts.sessions).

MFARequiredMiddleware: a signed-in clinician or administrator whose session has not verified a
second factor reaches nothing but the enrolment/verification pages and sign-out; pages redirect
there, the API answers 403.

NoStoreMiddleware: responses carrying patient data are never kept by a browser or proxy cache.

HostileInputMiddleware: a NUL in the path or query string (400) and a body over the size limit
(413) are refused before any view runs, as JSON on the API.
"""

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template import TemplateDoesNotExist, loader
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from accounts.mfa import has_confirmed_device, mfa_required_for
from accounts.models import Role, User
from accounts.sessions import KEEP_SIGNED_IN_KEY, keep_signed_in_allowed

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


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _has_idle_timeout(user: User) -> bool:
    return user.role in IDLE_TIMEOUT_ROLES or user.is_staff


@receiver(user_logged_in, dispatch_uid="portal.middleware.stamp_session_start")
def stamp_session_start(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """The 12-hour limit counts from sign-in itself, not from the first request after it."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            expired = self._expired(request, user)
            if expired:
                logout(request)
                if not _is_api(request):
                    # Shown on the sign-in page (base.html), which keeps `next`.
                    messages.info(request, expired, extra_tags="session-expired")
                    return _to_sign_in(request)
        return self.get_response(request)

    @staticmethod
    def _expired(request: HttpRequest, user: User) -> str:
        """A calm message when the session has run out, else ""; stamps the session."""
        session = request.session
        now = time.time()
        # "Keep me signed in on this device": honoured for patients only, checked again here so
        # a flag on anyone else's session changes nothing.
        kept = bool(session.get(KEEP_SIGNED_IN_KEY)) and keep_signed_in_allowed(user)
        started = session.get(SESSION_STARTED_KEY)
        if started is None:
            session[SESSION_STARTED_KEY] = now
        elif kept:
            if now - started > settings.PATIENT_KEEP_SIGNED_IN.total_seconds():
                days = settings.PATIENT_KEEP_SIGNED_IN.days
                return gettext(
                    "For your security you were signed out after %(days)s days. "
                    "Sign in again to continue; nothing you saved is lost."
                ) % {"days": days}
        elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            return gettext(
                "For your security you were signed out %(hours)d hours after signing in. "
                "Sign in again to continue; nothing you saved is lost."
            ) % {"hours": hours}
        if kept or not _has_idle_timeout(user):
            return ""
        last = session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            return gettext(
                "You were signed out after %(minutes)d minutes without activity. Sign in again "
                "to continue; nothing you saved is lost."
            ) % {"minutes": minutes}
        if last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
            session[LAST_ACTIVITY_KEY] = now
        return ""


def _to_sign_in(request: HttpRequest) -> HttpResponseBase:
    """The sign-in page with `next`. An htmx request (a button on the alert queue or the record)
    would follow a redirect and swap the sign-in page into the card: it gets HX-Redirect instead,
    so the whole window goes to sign in, with `next` set to the page the clinician was on."""
    if request.headers.get("HX-Request") != "true":
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('login')}?{query}")
    current = request.headers.get("HX-Current-URL", "")
    target = "/"
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    response = HttpResponse(status=200)
    response["HX-Redirect"] = f"{reverse('login')}?{urlencode({'next': target})}"
    return response


class MFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated  # also checked by mfa_required_for; here it narrows the type
            and mfa_required_for(user)
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
    def _verified(user: User | AnonymousUser) -> bool:
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())


# --- Caching ----------------------------------------------------------------------------------

NO_STORE = "no-store, private"


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)  # absent when a middleware above answered first
    if user is None:
        return False
    try:
        return bool(user.is_authenticated)
    except DatabaseError:
        # The session could not be read (database down): what answered carries no record.
        return False


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in caller (pages, API,
    reports, FHIR: anything may carry patient data, so no view has to remember) and on every
    response that sets no Cache-Control of its own. Static files never get here: WhiteNoise,
    above this middleware, answers them with its own long-lived caching headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _signed_in(request) or not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
            # An HTTP/1.0 cache knows only Expires; an unparseable date counts as expired.
            response["Expires"] = "0"
        return response


# --- Hostile input ----------------------------------------------------------------------------

NUL_IN_URL_MESSAGE = "The address may not contain NUL (%00) characters."
TOO_LARGE_MESSAGE = "The request body is too large."


def error_response(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """`{"detail": message}` on the API; on pages the `<status>.html` template when the project
    has one, else a minimal page (this runs before sessions and users are loaded)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    body: str
    try:
        body = loader.render_to_string(f"{status}.html", {"message": message})
    except TemplateDoesNotExist:
        body = (
            f'<!doctype html><html lang="en"><head><title>Error {status}</title></head>'
            f"<body><h1>Error {status}</h1><p>{escape(message)}</p></body></html>"
        )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# A whole number beyond a 64-bit integer (19+ digits) in an admin query value. The portal's own
# pages and APIs validate their numbers (forms, the paginator); the Django admin hands its list
# filters straight to the database, and SQLite (the embedded default) cannot even bind such a
# number (a 500 for `/admin/...?patient__id__exact=99999999999999999999`).
_HUGE_NUMBER = re.compile(r"(?:^|[=&])[+-]?\d{19,}(?:&|$)")
HUGE_NUMBER_MESSAGE = "A number in the address is too large."


class HostileInputMiddleware:
    """PostgreSQL text cannot hold NUL: a `%00` in `?q=`, `?instrument=` or any filter used to
    reach a query and fail there (a 500). No address of this portal needs one, so it is refused
    here once for every page and API. A body over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to
    read it) answers 413 rather than Django's generic HTML 400. Multipart bodies are left to
    Django, whose limit does not count uploaded files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        query = request.META.get("QUERY_STRING", "")
        decoded = unquote_plus(query, errors="replace")
        if "\x00" in request.path_info or "\x00" in decoded:
            return error_response(request, 400, NUL_IN_URL_MESSAGE)
        if request.path_info.startswith("/admin/") and _HUGE_NUMBER.search(decoded):
            return error_response(request, 400, HUGE_NUMBER_MESSAGE)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.META.get("CONTENT_TYPE", "")
        if (
            limit is not None
            and _declared_length(request) > limit
            and not content_type.startswith("multipart/")
        ):
            return error_response(request, 413, TOO_LARGE_MESSAGE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return error_response(request, 413, TOO_LARGE_MESSAGE)
        return None
