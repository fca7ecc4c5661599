"""The portal's time model: the one home for time zones, "today" and how times are shown.

Two rules (docs/architecture.md#time):

1. Every date of a patient's data is the patient's local date, in the zone they chose at
   sign-up (PatientProfile.timezone): check-ins (already dates), questionnaire dates (the local
   date of completed_at), medication starts and stops (dates the patient chose), alert evidence,
   report rows and periods, FHIR times (with the patient's UTC offset). A clinician in Los
   Angeles and a patient in Sydney see the same day for the same entry, everywhere. Readers go
   through `patient_local_date` / `patient_today` / `patient_day_bounds`, never `.date()` on an
   aware datetime nor a `__date` lookup (both use the server's or the viewer's zone).
2. Every *time* (an instant: an alert raised, a note written, an audit row) shown to a clinician
   is in the clinician's zone (ClinicianProfile.timezone) with the zone labelled
   (`format_time`, the `{% clinician_time %}` tag), and the clinician's "today" (the dashboard
   header) is the clinician's date.

An unset or unknown zone name means UTC, everywhere. No app import here: a patient is anything
with `patient_profile.timezone`, a clinician anything with `clinician_profile.timezone` (core is
the lowest layer).
"""

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
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


def patient_day_bounds(
    patient: "AbstractBaseUser", first: date, last: date
) -> tuple[datetime, datetime]:
    """[start, end) instants of the patient's local days `first`..`last` (both inclusive).

    Filter instants with `field__gte=start, field__lt=end`: a `__date` lookup would use the
    viewer's zone, not the patient's.
    """
    return day_bounds(first, last, patient_zone(patient))


def day_bounds(first: date, last: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) instants of the local days `first`..`last` in `zone` (both inclusive)."""
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)


def local_midnight(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    """The first instant of `day` in `zone`, as an aware UTC datetime.

    Where a DST change skips midnight (e.g. America/Santiago), zoneinfo reads the missing wall
    time with the offset before the change, which lands on the first real instant of the day.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def patient_isoformat(patient: "AbstractBaseUser", moment: datetime) -> str:
    """ISO 8601 of `moment` with the patient's UTC offset ("2026-11-28T08:00:00+11:00")."""
    return moment.astimezone(patient_zone(patient)).isoformat()


# --- Clinicians: their zone, their "today", and times labelled with the zone --------------------


def clinician_zone(user: "AbstractBaseUser | AnonymousUser | None") -> zoneinfo.ZoneInfo:
    """The zone of a clinician (ClinicianProfile.timezone); UTC without a profile."""
    profile = getattr(user, "clinician_profile", None) if user is not None else None
    return zone_named(getattr(profile, "timezone", ""))


def user_zone(user: "AbstractBaseUser | AnonymousUser | None") -> zoneinfo.ZoneInfo:
    """The zone a user's pages are shown in: a patient's or a clinician's own; UTC otherwise."""
    if user is None or not user.is_authenticated:
        return UTC
    role = getattr(user, "role", None)
    if role == "patient":
        return patient_zone(user)
    if role == "clinician":
        return clinician_zone(user)
    return UTC


def clinician_today(user: "AbstractBaseUser", now: datetime | None = None) -> date:
    """Today's date where the clinician is (the dashboard's "Today is ...")."""
    return (now or timezone.now()).astimezone(clinician_zone(user)).date()


def zone_abbreviation(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """The zone's label at `moment`: "PST", "AEDT", "UTC"; "UTC+14" where the tz database has
    no letters (it writes "+14")."""
    name = moment.astimezone(zone).tzname() or zone.key
    if name[:1] in "+-":
        hours, _, minutes = name[1:].partition(":")
        minutes = minutes or (hours[2:] if len(hours) > 2 else "")
        hours = hours[:2].lstrip("0") or "0"
        return f"UTC{name[0]}{hours}" + (f":{minutes}" if minutes and minutes != "00" else "")
    return name


TIME_FORMAT = "%-d %b %Y, %H:%M"


def format_time(moment: datetime | None, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """An instant as "28 Nov 2026, 14:05 PST": in `zone` (default: the active zone, which the
    middleware sets to the viewer's own), always with the zone labelled."""
    if moment is None:
        return ""
    zone = zone or zone_named(timezone.get_current_timezone_name())
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {zone_abbreviation(local, zone)}"


# --- Choosing a zone (sign-up, the admin, the account page) -----------------------------------

# The tz database's continents and oceans: every current zone name starts with one of these.
# Other names are links kept for old systems ("US/Pacific", "GB"), pseudo-zones ("Factory",
# "localtime") or fixed offsets with inverted signs ("Etc/GMT+5" is UTC-5): not offered.
TIMEZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@lru_cache(maxsize=1)
def _timezone_choices() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in TIMEZONE_REGIONS}
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if region in by_region and place:
            by_region[region].append((name, place.replace("_", " ").replace("/", " / ")))
    groups = [(region, tuple(zones)) for region, zones in by_region.items() if zones]
    return (("UTC", (("UTC", "UTC (Coordinated Universal Time)"),)), *groups)


def timezone_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Zones a person may choose, grouped by region for a `<select>` with `<optgroup>`s:
    `[("UTC", [("UTC", "UTC (Coordinated Universal Time)")]), ("Africa", [("Africa/Abidjan",
    "Abidjan"), ...]), ("America", [..., ("America/Los_Angeles", "Los Angeles"), ...]), ...]`.
    Values are IANA names; labels drop the region ("Argentina / Buenos Aires"). A Django
    ChoiceField takes it as `choices=timezone_choices` (a callable: built once, then cached).
    """
    return [(group, list(zones)) for group, zones in _timezone_choices()]


@lru_cache(maxsize=1)
def _choosable_names() -> frozenset[str]:
    return frozenset(value for _, zones in _timezone_choices() for value, _ in zones)


def is_choosable_zone(name: str) -> bool:
    """Whether `name` is one of timezone_choices() (an `Etc/…`, `US/…`, `Factory` or
    `localtime` name is not)."""
    return name in _choosable_names()


def _is_patient(user: "AbstractBaseUser | AnonymousUser | None") -> TypeGuard["AbstractBaseUser"]:
    return bool(
        user is not None and user.is_authenticated and getattr(user, "role", None) == "patient"
    )


class UserTimezoneMiddleware:
    """Render a patient's pages in the patient's zone and a clinician's in the clinician's;
    everyone else sees the server's UTC.

    For a clinician this reads the ClinicianProfile that every clinician page loads anyway (the
    verification check), so it costs no query there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if _is_patient(user):
            zone = patient_zone(user)
        elif (
            user is not None
            and user.is_authenticated
            and getattr(user, "role", None) == "clinician"
        ):
            zone = clinician_zone(user)
        else:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


# The name settings and older tests know.
PatientTimezoneMiddleware = UserTimezoneMiddleware
