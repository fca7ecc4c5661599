"""Schemathesis against /api/schema/, in-process through Django's WSGI app, as Pat (patient),
Cleo (clinician) and an anonymous caller: no 5xx, and bodies/content types as documented.

Bounded for CI: FUZZ_MAX_EXAMPLES (default 10) examples per operation and role, derandomized
(the same examples each run); raise it locally for a deeper run.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from conftest import PASSWORD, link, make_clinician, make_patient

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
ROLES = ("pat", "cleo", "anonymous")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

DJANGO_APP = get_wsgi_application()


def APP(environ, start_response):  # noqa: N802 - a WSGI application
    """Django's WSGI app, keeping the test's database connection open (as Django's test client
    does): the request signals would otherwise close it and lose the test transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = DJANGO_APP(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return [body]


schema = schemathesis.openapi.from_wsgi("/api/schema/", APP)

COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request):
    yield
    total = sum(COUNTS.values())
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and capture is not None and total:
        per_role = ", ".join(f"{role} {n}" for role, n in sorted(COUNTS.items()))
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"fuzz: {total} generated requests ({per_role})")


@pytest.fixture
def auth_headers(db, request):
    role = request.param
    if role == "anonymous":
        return {}
    pat = make_patient("fuzz.pat@example.com", "Fuzz Pat")
    if role == "pat":
        user = pat
    else:
        user = make_clinician("fuzz.cleo@example.com", "Fuzz Cleo")
        link(pat, user)
    assert PASSWORD
    token = Token.objects.create(user=user)
    return {"Authorization": f"Token {token.key}", "X-Fuzz-Role": role}


@pytest.mark.parametrize("auth_headers", ROLES, indirect=True)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_api_fuzz(case, auth_headers):
    role = auth_headers.get("X-Fuzz-Role", "anonymous")
    headers = {k: v for k, v in auth_headers.items() if k != "X-Fuzz-Role"}
    COUNTS[role] = COUNTS.get(role, 0) + 1
    case.call_and_validate(headers=headers, checks=CHECKS)
