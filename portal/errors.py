"""A database that is down or unreachable answers 503, never an HTML 500.

The API answers JSON ({"detail": ...}); pages answer the branded templates/503.html. Both say to
try again in a few minutes and carry Retry-After. Nothing here touches the database: the page is
rendered without the request's context processors (they would load the session and the user, and
fail again), so it shows the anonymous header and the crisis footer of base.html.

Two entry points, because Django turns an exception into a response at every middleware layer:
- DatabaseUnavailableMiddleware.process_exception: a view (or DRF) raised the error;
- server_error (handler500 in portal.urls): a middleware raised it first, e.g. while loading the
  session or the signed-in user; any other error answers the branded templates/500.html, which is
  rendered the same way (no context processors: it must render with the database down).

The other error answers (issue 15): 400, 403, 404, a CSRF failure (CSRF_FAILURE_VIEW) and 405
(MethodNotAllowedMiddleware: Django's views answer a bare HttpResponseNotAllowed). The API always
answers `{"detail": ...}`; pages answer a branded template that extends base.html (navigation,
a way home, the crisis footer) and never shows the exception, the path's ids or any record.
403, 404, 405 and the CSRF page are rendered with the request, so a signed-in user keeps their
role's navigation; 400 tries the same and falls back to the anonymous header.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseServerError,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.template import loader
from django.utils.translation import gettext, gettext_noop
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

UNAVAILABLE_DETAIL = gettext_noop(
    "The service is temporarily unavailable. Please try again in a few minutes."
)
RETRY_AFTER_SECONDS = 60
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON on the API, the branded page elsewhere. Never queries the database."""
    if is_api_request(request):
        response: HttpResponse = JsonResponse({"detail": gettext(UNAVAILABLE_DETAIL)}, status=503)
    else:
        html = loader.get_template("503.html").render({"detail": gettext(UNAVAILABLE_DETAIL)})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _log_unavailable(request: HttpRequest, exception: BaseException) -> None:
    # The path and the error class only: a query's text or parameters could hold health data.
    logger.error(
        "Database unavailable (%s) while serving %s %s; answered 503.",
        type(exception).__name__,
        request.method,
        request.path,
    )


class DatabaseUnavailableMiddleware:
    """Turns a database error raised by a view into a 503 (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        _log_unavailable(request, exception)
        return service_unavailable(request)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database error raised in a middleware answers 503; anything else a 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        _log_unavailable(request, exception)
        return service_unavailable(request)
    if is_api_request(request):
        return JsonResponse({"detail": gettext("Internal server error.")}, status=500)
    try:
        return django_server_error(request, template_name=template_name)
    except Exception:  # the 500 page itself must never fail
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")


# --- The other error pages (issue 15) ---------------------------------------------------------

API_DETAILS = {
    400: gettext_noop("Bad request."),
    403: gettext_noop("You do not have permission to perform this action."),
    404: gettext_noop("Not found."),
    405: gettext_noop("Method not allowed."),
}


def _api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _page(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    """The branded page, rendered with the request's context processors (the navigation); if
    that fails (an error page must not), without them: the anonymous header."""
    template = loader.get_template(template_name)
    try:
        return HttpResponse(template.render({}, request), status=status)
    except Exception:
        logger.exception("Rendering %s with the request failed", template_name)
    return HttpResponse(template.render({}), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400 (a SuspiciousOperation, a malformed request)."""
    if is_api_request(request):
        return _api_error(400, gettext(API_DETAILS[400]))
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403. The exception's text is not shown: it may name what was refused."""
    if is_api_request(request):
        return _api_error(403, gettext(API_DETAILS[403]))
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404. The path is not repeated: it may carry an id or a search term."""
    if is_api_request(request):
        return _api_error(404, gettext(API_DETAILS[404]))
    return _page(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an expired or foreign form. DRF views check CSRF themselves (with the
    same JSON shape); this answers the API's plain Django views."""
    if is_api_request(request):
        return _api_error(403, gettext("CSRF Failed: %(reason)s") % {"reason": reason})
    return _page(request, "403_csrf.html", 403)


class MethodNotAllowedMiddleware:
    """Django's require_GET/require_POST and class-based views answer a bare
    HttpResponseNotAllowed (an empty body): pages get the branded 405, the API `{"detail": ...}`.
    The Allow header is kept. DRF answers its own JSON 405, which is not an
    HttpResponseNotAllowed and passes unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        branded: HttpResponse
        if is_api_request(request):
            branded = _api_error(405, gettext(API_DETAILS[405]))
        else:
            branded = _page(request, "405.html", 405)
        branded["Allow"] = response["Allow"]
        return branded
