from alerts.selectors import unread_count


def alert_badge(request) -> dict:
    """Unread alert count for the clinician navigation badge (base.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role != "clinician":
        return {}
    return {"alert_badge": unread_count(user)}
