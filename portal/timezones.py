"""Show times in the patient's own time zone.

A patient's "today" and the dates on their pages follow the time zone they chose at sign-up
(PatientProfile.timezone), not the server's UTC. Clinicians see UTC dates with the patient's
local day where it matters (the rules already evaluate "today" in the patient's zone).
"""

import zoneinfo

from django.utils import timezone


class PatientTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = patient_zone(getattr(request, "user", None))
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


def patient_zone(user) -> zoneinfo.ZoneInfo | None:
    if user is None or not user.is_authenticated or getattr(user, "role", None) != "patient":
        return None
    profile = getattr(user, "patient_profile", None)
    if profile is None or not profile.timezone:
        return None
    try:
        return zoneinfo.ZoneInfo(profile.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
