from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from core.http import AuthenticatedHttpRequest
from portal.health import DatabaseCheck, broker_state, notifications_failed

HOME_BY_ROLE: dict[str, str] = {
    Role.PATIENT: "journal:home",
    Role.CLINICIAN: "clinic:dashboard",
    Role.ADMIN: "admin:index",
}


@login_required
def home(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    """Send each user to the start page of their role."""
    return redirect(HOME_BY_ROLE.get(request.user.role, "login"))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    # The database check runs in the background while the broker is checked: the answer comes
    # within HEALTHZ_DB_TIMEOUT (1.5 s) even when both hang.
    check = DatabaseCheck()
    broker = broker_state()
    database = check.state()
    state: dict[str, str | int | None] = {"database": database, "broker": broker}
    state["notifications_failed"] = notifications_failed() if database == "ok" else None
    state["status"] = "ok" if database == "ok" else "down"
    return JsonResponse(state, status=200 if database == "ok" else 503)
