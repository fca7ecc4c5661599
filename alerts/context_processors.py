from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.mfa import mfa_required_for
from accounts.models import User
from alerts.selectors import patient_notices, unread_count


def alert_badge(request: HttpRequest) -> dict[str, Any]:
    """Unread alert count for the clinician navigation badge (base.html).

    Nothing before the second factor is verified: even a count is patient information.
    Lazy: a page that already knows the count (the alert queue counts it with its own total)
    passes `alert_badge` in its context, which takes precedence, and the query never runs.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.role != "clinician":
        return {}
    is_verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
    if mfa_required_for(user) and not (is_verified and is_verified()):
        return {}
    return {"alert_badge": SimpleLazyObject(lambda: unread_count(user))}


def patient_alert_notices(request: HttpRequest) -> dict[str, Any]:
    """The patient's open safety notices, for the home page (templates/journal/home.html).

    The journal does not import alerts (DESIGN.md "Layering"), so its page gets the notices
    from this context processor. Lazy: the query runs only on a page that shows them.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated or user.role != "patient":
        return {}
    return {"patient_notices": SimpleLazyObject(lambda: patient_notices(user))}
