"""A database that is down or unreachable answers 503, never an HTML 500.

The API answers JSON ({"detail": ...}); pages answer the branded templates/503.html. Both say to
try again in a few minutes and carry Retry-After. Nothing here touches the database: the page is
rendered without the request's context processors (they would load the session and the user, and
fail again), so it shows the anonymous header and the crisis footer of base.html.

Two entry points, because Django turns an exception into a response at every middleware layer:
- DatabaseUnavailableMiddleware.process_exception: a view (or DRF) raised the error;
- server_error (handler500 in portal.urls): a middleware raised it first, e.g. while loading the
  session or the signed-in user; any other error keeps Django's plain 500 page.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

UNAVAILABLE_DETAIL = "The service is temporarily unavailable. Please try again in a few minutes."
RETRY_AFTER_SECONDS = 60
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON on the API, the branded page elsewhere. Never queries the database."""
    if is_api_request(request):
        response: HttpResponse = JsonResponse({"detail": UNAVAILABLE_DETAIL}, status=503)
    else:
        html = loader.get_template("503.html").render({"detail": UNAVAILABLE_DETAIL})
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
        return JsonResponse({"detail": "Internal server error."}, status=500)
    try:
        return django_server_error(request, template_name=template_name)
    except Exception:  # the 500 page itself must never fail
        return HttpResponseServerError("<h1>Server Error (500)</h1>", content_type="text/html")
