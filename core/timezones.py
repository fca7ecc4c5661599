"""The patient's own time zone and "today": the one home for both.

A patient's "today" and the dates on their pages follow the time zone they chose at sign-up
(PatientProfile.timezone), not the server's UTC. Every reader (journal and medication date
checks, the alert rules' day T, the pages' rendering) goes through these helpers so that all of
them agree on which day it is, even at UTC+14 and UTC-11. An unset or unknown zone name means
UTC, everywhere. Clinicians see UTC dates.

No app import here: a patient is anything with `patient_profile.timezone` (core is the lowest
layer).
"""

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, TypeGuard

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

if TYPE_CHECKING:
    # Only for the annotations: a model module cannot be imported before the app registry is
    # ready, and this module is loaded with the middleware.
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

UTC = zoneinfo.ZoneInfo("UTC")


@lru_cache(maxsize=512)
def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`; UTC when empty or unknown (a bad profile never breaks a page)."""
    if not name:
        return UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def patient_zone(patient: "AbstractBaseUser") -> zoneinfo.ZoneInfo:
    """The zone of `patient` (a User with a PatientProfile); UTC without a profile."""
    profile = getattr(patient, "patient_profile", None)
    return zone_named(getattr(profile, "timezone", ""))


def local_date(moment: datetime, zone_name: str | None) -> date:
    """The calendar date of an aware `moment` in the zone called `zone_name`."""
    return moment.astimezone(zone_named(zone_name)).date()


def patient_local_date(patient: "AbstractBaseUser", moment: datetime) -> date:
    """The calendar date of an aware `moment` where the patient lives."""
    return moment.astimezone(patient_zone(patient)).date()


def patient_today(patient: "AbstractBaseUser", now: datetime | None = None) -> date:
    """Today's date where the patient lives (PatientProfile.timezone)."""
    return patient_local_date(patient, now or timezone.now())


def _is_patient(user: "AbstractBaseUser | AnonymousUser | None") -> TypeGuard["AbstractBaseUser"]:
    return bool(
        user is not None and user.is_authenticated and getattr(user, "role", None) == "patient"
    )


class PatientTimezoneMiddleware:
    """Render a patient's pages in their own zone; everyone else sees the server's UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if not _is_patient(user):
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(patient_zone(user)):
            return self.get_response(request)
