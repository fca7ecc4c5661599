"""Response headers, and the production settings: `check --deploy` clean, no start without a key."""

import json
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_access_matrix as matrix

ROOT = Path(__file__).resolve().parent.parent
# Values pytest-env sets for the test process that must not leak into the "production" children.
TEST_ONLY_ENV = (
    "DEBUG",
    "SECRET_KEY",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "MFA_REQUIRED",
    "DJANGO_SETTINGS_MODULE",
    "ALLOWED_HOSTS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
            "ALLOWED_HOSTS": "portal.example.org",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k) for k in [
    "DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF", "MFA_REQUIRED"]}))
"""


def test_check_deploy_passes_with_the_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_every_protection_on():
    result = run_python(PRINT_SETTINGS, production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["MFA_REQUIRED"] is True


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "short-key", "insecure-development-key-do-not-use-in-production"],
    ids=["missing", "empty", "short", "the-development-key"],
)
def test_settings_refuse_to_load_without_a_real_secret_key(secret_key):
    result = run_python(PRINT_SETTINGS, production_env(SECRET_KEY=secret_key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_pages_send_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/me/", "/healthz"])
def test_every_response_has_the_security_headers(client, db, path):
    response = client.get(path)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response


def test_hsts_is_sent_over_https_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]


def test_the_session_cookie_is_http_only_and_same_site(client, pat):
    from conftest import PASSWORD

    client.post("/accounts/login/", {"username": pat.email, "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE)
JSON_SCRIPT = re.compile(r'<script[^>]*type="application/(ld\+)?json"', re.IGNORECASE)
STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_ATTR = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def inline_code_problems(html: str) -> list[str]:
    """Inline script/style the strict CSP would block (json_script data blocks are allowed)."""
    problems = []
    for match in INLINE_SCRIPT.finditer(html):
        tag = match.group(0)
        if not JSON_SCRIPT.match(tag):
            problems.append(f"inline script {tag[:60]}")
    problems += [f"style attribute near {m.start()}" for m in STYLE_ATTR.finditer(html)]
    problems += [f"<style> block near {m.start()}" for m in STYLE_TAG.finditer(html)]
    problems += [f"event handler attribute near {m.start()}" for m in EVENT_ATTR.finditer(html)]
    return problems


def project_templates():
    skip = {".venv", "node_modules", "staticfiles"}
    for path in ROOT.rglob("*.html"):
        if not skip.intersection(path.relative_to(ROOT).parts) and "templates" in path.parts:
            yield path


@pytest.mark.parametrize(
    "template", sorted(project_templates()), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_have_no_inline_script_or_style(template):
    assert inline_code_problems(template.read_text()) == []


# --- Caching (issue 10, finding 13) --------------------------------------------------------------
# Every response to a signed-in caller may carry patient data: no browser or proxy may keep it.
# The routes come from the URL resolver through the access matrix, each requested as a persona the
# matrix says gets a 200, so a new page or API is covered without editing this file.

world = matrix.world  # the access matrix's fixture: Pat's entry, course, alert, links


def _signed_in_get_routes():
    for route in sorted(matrix.all_routes()):
        row = matrix.row_for(route)
        if row is None or "GET" not in row.expect:
            continue
        if route.startswith("admin/") and not re.fullmatch(r"admin/(\w+/\w+/)?", route):
            continue  # the admin index and changelists stand for the rest of the admin
        reaching = [
            persona
            for persona, expect in row.expect["GET"].items()
            if persona != "anon" and "200" in ((expect,) if isinstance(expect, str) else expect)
        ]
        for persona in [p for p in ("pat", "cleo", "ada") if p in reaching][:2] or reaching[:1]:
            yield pytest.param(route, persona, id=f"/{route} as {persona}")


SIGNED_IN_ROUTES = list(_signed_in_get_routes())


def test_the_caching_route_list_covers_pages_reports_api_and_fhir():
    routes = {p.values[0] for p in SIGNED_IN_ROUTES}
    for expected in (
        "patient/",
        "clinician/patients/<int:patient_id>/",
        "clinician/patients/<int:patient_id>/report.<str:fmt>",
        "api/v1/entries/",
        "api/v1/patients/<int:patient_id>/fhir/",
        "admin/",
    ):
        assert expected in routes


@pytest.mark.parametrize(("route", "persona"), SIGNED_IN_ROUTES)
def test_signed_in_responses_are_never_cached(world, route, persona):
    client = matrix.client_for_persona(world, persona)
    response = client.get(matrix.fill(route, world))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_reports_fhir_and_token_authenticated_api_answers_are_never_cached(pat, cleo, fmt):
    from django.test import Client
    from rest_framework.authtoken.models import Token

    clinician = Client()
    clinician.force_login(cleo)
    report = clinician.get(f"/clinician/patients/{pat.pk}/report.{fmt}")
    assert report["Cache-Control"] == "no-store, private"
    token = Token.objects.create(user=pat)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for url in ("/api/v1/entries/", f"/api/v1/patients/{pat.pk}/fhir/", "/api/v1/me/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store, private", url


def test_anonymous_pages_and_errors_are_not_cached_but_static_files_are(client, db):
    login = client.get("/accounts/login/")["Cache-Control"]  # Django's own never_cache
    assert {"no-store", "private"} <= {part.strip() for part in login.split(",")}
    assert client.get("/api/v1/entries/?q=%00")["Cache-Control"] == "no-store, private"
    static = client.get("/static/journal/journal.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
