from accounts.mfa import mfa_required_for
from alerts.selectors import unread_count


def alert_badge(request) -> dict:
    """Unread alert count for the clinician navigation badge (base.html).

    Nothing before the second factor is verified: even a count is patient information.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != "clinician":
        return {}
    if mfa_required_for(user) and not (getattr(user, "is_verified", None) and user.is_verified()):
        return {}
    return {"alert_badge": unread_count(user)}
