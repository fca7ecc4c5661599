"""Branded error pages and JSON API errors for every status (issue 15).

Each status is asked for on a page route and on an API route. Pages: the status, the branded
template, the crisis footer, a way home, the signed-in user's navigation where a request context
is safe (400/403/404/405/CSRF), and never the exception's text or a stack trace. The API: the
status and exactly `{"detail": ...}`.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from conftest import PASSWORD
from portal import urls
from portal.errors import server_error
from portal.tests.test_database_failures import default_database_at, unavailable_cases

# Text that must never reach a page or a JSON body: it stands for a record, an id, a query.
CANARY = "canary-4711 Pat Patient phq9=23"


def broken(request):
    raise ValueError(CANARY)


def forbidden(request):
    raise PermissionDenied(CANARY)


def suspicious(request):
    raise SuspiciousOperation(CANARY)


def missing(request):
    raise Http404(CANARY)


def database_down(request):
    raise OperationalError(CANARY)


@require_POST
def post_only(request):
    return HttpResponse("posted")


def plain_form(request):
    """A plain Django view (CSRF-checked by the middleware, not by DRF)."""
    return HttpResponse("ok")


def _routes(prefix: str) -> list:
    return [
        path(f"{prefix}broken/", broken),
        path(f"{prefix}forbidden/", forbidden),
        path(f"{prefix}suspicious/", suspicious),
        path(f"{prefix}missing/", missing),
        path(f"{prefix}database-down/", database_down),
        path(f"{prefix}post-only/", post_only),
        path(f"{prefix}plain-form/", plain_form),
    ]


TestUrls = type(
    "TestUrls",
    (),
    {
        "urlpatterns": [*_routes("api/test/"), *_routes("test/"), *urls.urlpatterns],
        "handler400": urls.handler400,
        "handler403": urls.handler403,
        "handler404": urls.handler404,
        "handler500": urls.handler500,
    },
)


@pytest.fixture
def test_urls(settings):
    settings.ROOT_URLCONF = TestUrls


@pytest.fixture
def pat_page(pat) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(pat)
    return client


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


def templates_of(response) -> list[str]:
    return [t.name for t in response.templates if t.name]


def assert_branded(response, status: int, template: str, *, nav: bool) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    if getattr(
        response, "templates", None
    ):  # the test client records templates rendered through the loader
        assert template in templates_of(response)
    assert 'class="site-footer' in html and 'href="tel:988"' in html  # the crisis footer
    assert 'href="/"' in html  # the way back: the start page
    assert "Traceback" not in html and "canary-4711" not in html and "phq9" not in html
    assert "Server Error" not in html
    signed_in_nav = 'href="/patient/checkin/"' in html
    assert signed_in_nav is nav, "the patient's navigation" + (" missing" if nav else " shown")
    return html


def assert_api(response, status: int, detail: str | None = None) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["detail"]
    assert "canary-4711" not in body["detail"]
    if detail is not None:
        assert body["detail"] == detail


# --- 404 ----------------------------------------------------------------------------------------


def test_404_page_for_a_signed_in_patient_keeps_her_navigation(pat_page, test_urls):
    html = assert_branded(pat_page.get("/no-such-page/77/"), 404, "404.html", nav=True)
    assert "We can't find that page" in html
    assert "/no-such-page/77/" not in html  # the path (an id, a search) is not repeated
    raised = pat_page.get("/test/missing/")
    assert_branded(raised, 404, "404.html", nav=True)


def test_404_page_when_signed_out_has_the_anonymous_header(anonymous, db):
    assert_branded(anonymous.get("/no-such-page/"), 404, "404.html", nav=False)


def test_404_for_a_record_the_clinician_cannot_see_keeps_her_navigation(cleo, sam):
    client = Client(raise_request_exception=False)
    client.force_login(cleo)
    response = client.get(f"/clinician/patients/{sam.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "404.html" in templates_of(response)
    assert 'href="/clinician/alerts/"' in html and ">Patients</a>" in html  # the clinician's nav
    assert 'class="site-footer' in html and 'href="tel:988"' in html
    assert "Sam" not in html and f"/{sam.pk}/" not in html
    api = client.get(f"/api/v1/patients/{sam.pk}/")
    assert api.status_code == 404 and list(api.json()) == ["detail"]


def test_404_page_queries_no_more_than_a_normal_page(
    anonymous, pat_page, db, django_assert_num_queries
):
    with django_assert_num_queries(0):  # signed out: no session, no user, no query
        assert anonymous.get("/no-such-page/").status_code == 404
    pat_page.get("/no-such-page/")  # the first request stamps the session (one save)
    # Signed in: the session, the user and her time zone (middleware), for the navigation.
    with django_assert_num_queries(3):
        assert pat_page.get("/no-such-page/").status_code == 404


def test_404_on_the_api_is_json(pat_page, test_urls):
    assert_api(pat_page.get("/api/v1/no-such-endpoint/"), 404, "Not found.")
    assert_api(pat_page.get("/api/test/missing/"), 404, "Not found.")


# --- 403 ----------------------------------------------------------------------------------------


def test_403_page_hides_the_reason_and_keeps_the_navigation(pat_page, test_urls):
    html = assert_branded(pat_page.get("/test/forbidden/"), 403, "403.html", nav=True)
    assert "You can't open this page" in html


def test_403_on_the_api_is_json(pat_page, test_urls):
    assert_api(
        pat_page.get("/api/test/forbidden/"),
        403,
        "You do not have permission to perform this action.",
    )


# --- CSRF failure -------------------------------------------------------------------------------


def test_a_form_posted_without_its_token_gets_the_branded_csrf_page(pat):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pat)
    response = client.post("/patient/checkin/", {"mood": "5"})
    html = assert_branded(response, 403, "403_csrf.html", nav=True)
    assert "This form has expired" in html
    assert "CSRF" not in html  # Django's reason text is not shown


def test_csrf_failure_on_the_api_is_json(pat, test_urls):
    client = Client(enforce_csrf_checks=True)
    client.force_login(pat)
    # A plain Django view under /api/: the CSRF middleware refuses it (CSRF_FAILURE_VIEW).
    plain = client.post("/api/test/plain-form/", {})
    assert_api(plain, 403)
    assert plain.json()["detail"].startswith("CSRF Failed:")
    # A DRF view with session authentication: DRF refuses it, with the same shape.
    drf = client.post("/api/v1/entries/", {}, content_type="application/json")
    assert_api(drf, 403)
    assert drf.json()["detail"].startswith("CSRF Failed:")


# --- 405 ----------------------------------------------------------------------------------------


def test_405_page_for_a_page_route(pat_page, test_urls):
    # Django's LogoutView answers POST only: a GET used to get an empty 405.
    response = pat_page.get("/accounts/logout/")
    html = assert_branded(response, 405, "405.html", nav=True)
    assert "POST" in response["Allow"]
    assert "This page can't be used that way" in html
    assert_branded(pat_page.get("/test/post-only/"), 405, "405.html", nav=True)


def test_405_on_the_api_is_json(pat_page, test_urls):
    plain = pat_page.get("/api/test/post-only/")
    assert_api(plain, 405, "Method not allowed.")
    assert plain["Allow"] == "POST"
    drf = pat_page.delete("/api/v1/me/")  # DRF's own 405 keeps its JSON
    assert_api(drf, 405)


# --- 400 ----------------------------------------------------------------------------------------


def test_400_page_for_a_page_route(pat_page, test_urls):
    html = assert_branded(pat_page.get("/test/suspicious/"), 400, "400.html", nav=True)
    assert "We could not read that request" in html


def test_400_from_the_hostile_input_guard_is_branded_before_any_session(pat_page, test_urls):
    # Refused before sessions and users load: the anonymous header, the crisis footer.
    html = assert_branded(pat_page.get("/patient/history/?q=a%00b"), 400, "400.html", nav=False)
    assert "NUL" in html  # the guard's own explanation


def test_400_on_the_api_is_json(pat_page, test_urls):
    assert_api(pat_page.get("/api/test/suspicious/"), 400, "Bad request.")
    assert_api(pat_page.get("/api/v1/entries/?q=a%00b"), 400)


# --- 413 ----------------------------------------------------------------------------------------


def test_413_page_and_json_for_an_oversized_body(pat_page, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "notes=" + "x" * 2000
    page = pat_page.post(
        "/patient/checkin/", body, content_type="application/x-www-form-urlencoded"
    )
    html = assert_branded(page, 413, "413.html", nav=False)
    assert "That was too much to send at once" in html
    api = pat_page.post("/api/v1/entries/", body, content_type="application/json")
    assert_api(api, 413, "The request body is too large.")


# --- 500 ----------------------------------------------------------------------------------------


def test_500_page_is_branded_and_shows_nothing_of_the_error(pat_page, test_urls):
    html = assert_branded(pat_page.get("/test/broken/"), 500, "500.html", nav=False)
    assert "Something went wrong on our side" in html


def test_500_on_the_api_is_json(pat_page, test_urls):
    assert_api(pat_page.get("/api/test/broken/"), 500, "Internal server error.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", unavailable_cases())
def test_500_page_renders_while_the_database_is_unavailable(
    pat, require_postgres, test_urls, where
):
    page = Client(raise_request_exception=False)
    with default_database_at(**where):
        # Anonymous: no session to load, so the bug itself is what fails.
        response = page.get("/test/broken/")
        api = page.get("/api/test/broken/")
    assert_branded(response, 500, "500.html", nav=False)
    assert_api(api, 500, "Internal server error.")


def test_the_500_page_renders_without_any_database():
    """No database fixture: pytest-django fails any query, so rendering must need none."""
    request = RequestFactory().get("/patient/")
    try:
        raise ValueError(CANARY)
    except ValueError:
        response = server_error(request)
    assert_branded(response, 500, "500.html", nav=False)


# --- 503 ----------------------------------------------------------------------------------------


def test_503_page_and_json(pat_page, test_urls):
    html = assert_branded(pat_page.get("/test/database-down/"), 503, "503.html", nav=False)
    assert "We'll be right back" in html
    assert_api(
        pat_page.get("/api/test/database-down/"),
        503,
        "The service is temporarily unavailable. Please try again in a few minutes.",
    )


# --- Session expired ----------------------------------------------------------------------------


def test_an_idle_sign_out_explains_itself_on_the_sign_in_page_and_keeps_next(cleo):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        response = client.post("/accounts/login/", {"username": cleo.email, "password": PASSWORD})
        assert response.status_code == 302
    with time_machine.travel(start + timedelta(minutes=45), tick=False):
        redirect = client.get("/clinician/alerts/?status=open")
        assert redirect.status_code == 302
        assert (
            redirect["Location"] == "/accounts/login/?next=%2Fclinician%2Falerts%2F%3Fstatus%3Dopen"
        )
        login = client.get(redirect["Location"])
    html = login.content.decode()
    assert (
        "You were signed out after 30 minutes without activity. Sign in again to continue; "
        "nothing you saved is lost."
    ) in html
    assert 'name="next" value="/clinician/alerts/?status=open"' in html
    assert 'class="site-footer' in html and 'href="tel:988"' in html
    # Shown once: a second visit to the sign-in page is plain again.
    assert "without activity" not in client.get("/accounts/login/").content.decode()


def test_the_twelve_hour_sign_out_explains_itself(pat, settings):
    # The session store's own expiry would end it silently first; a longer-lived session
    # ("keep me signed in") is still ended by the middleware, which says why.
    settings.SESSION_COOKIE_AGE = 2 * 24 * 3600
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": pat.email, "password": PASSWORD})
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/patient/history/", follow=True)
    html = response.content.decode()
    assert "signed out 12 hours after signing in" in html
    assert "nothing you saved is lost" in html
    assert 'name="next" value="/patient/history/"' in html


@pytest.mark.parametrize(
    ("current_url", "next_"),
    [
        (
            "http://testserver/clinician/alerts/?status=open",
            "%2Fclinician%2Falerts%2F%3Fstatus%3Dopen",
        ),
        ("https://evil.example/phish/", "%2F"),  # only a page of this site becomes `next`
        ("", "%2F"),
    ],
)
def test_an_idle_htmx_request_sends_the_whole_window_to_sign_in(cleo, current_url, next_):
    """A button on the alert queue (htmx) after 30 idle minutes: no sign-in page inside the card."""
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"username": cleo.email, "password": PASSWORD})
    headers = {"HTTP_HX_REQUEST": "true"}
    if current_url:
        headers["HTTP_HX_CURRENT_URL"] = current_url
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.post("/clinician/alerts/1/acknowledge/", {}, **headers)
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"/accounts/login/?next={next_}"
    assert "_auth_user_id" not in client.session
    # The explanation waits on the sign-in page.
    assert "30 minutes without activity" in client.get(response["HX-Redirect"]).content.decode()
