"""One rate limit for every form an attacker could automate (OWASP ASVS 2.2.1, 11.1.4).

Sign-up, password reset, invitation codes and second-factor codes all count here, through
django-ratelimit's `get_usage` on the shared cache (settings.CACHES: set CACHE_URL to Redis when
more than one web process serves, so every process sees the same counts). The rates are
settings.RATE_LIMITS; each flow counts per client address, and where a guess targets one account
also per account, so neither many addresses nor many accounts get around it.

Past a limit nothing is done (no email, no code checked): pages answer 429 with the calm
"Please wait" page, the API 429 JSON with `detail`, both with Retry-After.

django_ratelimit is deliberately not in INSTALLED_APPS: its system check refuses the local-memory
cache that single-process development and the tests use.
"""

import logging
import math
from collections.abc import Callable

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from rest_framework import status
from rest_framework.response import Response

from accounts.http import AnyRequest
from accounts.models import User

logger = logging.getLogger(__name__)

SIGNUP = "signup"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a flow name, not a secret
INVITATION_ACCEPT = "invitation_accept"
MFA_VERIFY = "mfa_verify"
EMAIL_CHANGE = "email_change"

# What the "Please wait" page says paused, per flow.
PAUSED = {
    SIGNUP: "We have received several sign-up requests from your network in a short time",
    PASSWORD_RESET: "We have received several password-reset requests in a short time",
    INVITATION_ACCEPT: "There have been several attempts to enter an invitation code",
    MFA_VERIFY: "There have been several attempts to enter a verification code",
    EMAIL_CHANGE: "We have sent several email-change links in a short time",
}

Key = Callable[[str, AnyRequest], str]


def by_address(group: str, request: AnyRequest) -> str:
    """The client address exactly as django-axes counts it (AXES_PROXY_COUNT is honoured)."""
    address: str | None = get_client_ip_address(request)
    return address or "unknown"


def by_account(user: User) -> Key:
    """A key for one account, whichever session, address or door (page, API) guesses for it."""

    def by_account(group: str, request: AnyRequest) -> str:
        return f"user:{user.pk}"

    return by_account


def by_value(value: str) -> Key:
    """A key for one target (an email address), normalised so case cannot split the count."""
    normalised = (value or "").strip().lower()[:254]

    def by_value(group: str, request: AnyRequest) -> str:
        return f"value:{normalised}"

    return by_value


class Limited:
    """The verdict on one request: falsy when allowed; when limited, how long until it lifts."""

    def __init__(self, flow: str, seconds_left: int) -> None:
        self.flow = flow
        self.seconds_left = max(seconds_left, 1)

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))


def hit(request: AnyRequest, flow: str, *keys: Key) -> Limited | None:
    """Count one attempt at `flow` under every key (default: the address).

    Returns None while every count is within settings.RATE_LIMITS[flow], else a `Limited`.
    Every key is counted even when an earlier one is over, so the counts stay honest.
    """
    rate = settings.RATE_LIMITS[flow]
    verdict = None
    for key in keys or (by_address,):
        try:
            usage = get_usage(
                request, group=f"{flow}:{key.__name__}", key=key, rate=rate, increment=True
            )
        except Exception:  # noqa: BLE001 - any cache failure
            # The cache (Redis) is down: let the request through rather than answer 500 or lock
            # every clinician out of verification; sign-in lockouts (axes, in the database) and
            # django-otp's per-device back-off still hold.
            logger.warning("rate limit %s not counted: the cache is unavailable", flow)
            continue
        if usage is not None and usage["should_limit"]:
            left = usage["time_left"]
            verdict = Limited(flow, max(left, verdict.seconds_left if verdict else 0))
    return verdict


def limited_page(request: HttpRequest, limited: Limited) -> HttpResponse:
    response = render(
        request,
        "accounts/locked_out.html",
        {
            "reason": limited.flow,
            "paused": PAUSED[limited.flow],
            "minutes_left": limited.minutes_left,
        },
        status=429,
    )
    response["Retry-After"] = str(limited.seconds_left)
    return response


def limited_json(limited: Limited) -> Response:
    return Response(
        {
            "detail": f"{PAUSED[limited.flow]}. Please wait about {limited.minutes_left} "
            "minutes and try again."
        },
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(limited.seconds_left)},
    )
