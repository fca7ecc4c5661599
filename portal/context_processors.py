from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, str]:
    """Role flags for the navigation in base.html, and SITE_URL for links shown to be copied."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"nav_role": role, "site_url": settings.SITE_URL.rstrip("/")}
