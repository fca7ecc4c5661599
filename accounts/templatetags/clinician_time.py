"""`{% clinician_time value %}`: an instant shown to a clinician, in their zone, zone labelled.

"28 Nov 2026, 14:05 PST". The zone is the viewer's own: core.timezones.UserTimezoneMiddleware
activates the clinician's ClinicianProfile.timezone for every request (docs/architecture.md#time).
Only for instants (alert raised, note written, audit rows); a patient's dates are plain dates.
"""

from datetime import datetime

from django import template

from core.timezones import format_time

register = template.Library()


@register.simple_tag
def clinician_time(value: datetime | None) -> str:
    return format_time(value)
