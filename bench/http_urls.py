"""The portal's URLs plus the framework-floor view (bench/settings_http.py only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """The cheapest response behind the same middleware as every page."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench-floor"), *portal_urlpatterns]
