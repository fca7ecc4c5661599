"""X-Forwarded-Proto is believed only behind a configured proxy (issue 10, finding 9).

Each case loads the settings in a fresh process, as production would, and runs Django's
SecurityMiddleware on a plain-HTTP request that claims `X-Forwarded-Proto: https`.
"""

import json

import pytest

from tests.test_security_headers import production_env, run_python

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory
request = RequestFactory().get(
    "/patient/", HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="portal.example.org"
)
response = SecurityMiddleware(lambda r: HttpResponse("ok"))(request)
print(json.dumps({
    "header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "status": response.status_code,
    "location": response.get("Location", ""),
    "secure": request.is_secure(),
}))
"""

CASES = [
    # (environment, header believed?)
    ({}, False),
    ({"TRUSTED_PROXY_COUNT": "0"}, False),
    ({"TRUSTED_PROXY_COUNT": "1"}, True),
    ({"AXES_PROXY_COUNT": "1"}, True),  # the older name still works
    ({"AXES_PROXY_COUNT": "0"}, False),
]


def probe(**env) -> dict:
    overrides = {"TRUSTED_PROXY_COUNT": None, "AXES_PROXY_COUNT": None, **env}
    result = run_python(PROBE, production_env(**overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("env", "trusted"), CASES, ids=[str(c[0]) or "none" for c in CASES])
def test_it_believes_x_forwarded_proto_only_behind_a_proxy(env, trusted):
    values = probe(**env)
    if trusted:
        assert values["header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
        assert values["secure"] is True
        assert values["status"] == 200
    else:
        assert values["header"] is None
        assert values["secure"] is False
        # Plain HTTP is redirected to HTTPS whatever the client claims.
        assert values["status"] == 301
        assert values["location"] == "https://portal.example.org/patient/"


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", None, "203.0.113.9"),
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is a lie
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),  # nginx wrote the client's address
        (1, "10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),  # client-written entry ignored
        (2, "10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        (2, "10.0.0.2", "198.51.100.1", "10.0.0.2"),  # too few entries: not through both proxies
        (1, "10.0.0.2", " , ", "10.0.0.2"),
    ],
)
def test_lockouts_count_the_address_the_trusted_proxies_saw(
    settings, rf, proxies, remote, forwarded, expected
):
    from axes.helpers import get_client_ip_address

    from accounts.lockout import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = rf.get("/accounts/login/", **meta)
    assert client_ip(request) == expected
    assert get_client_ip_address(request) == expected  # what axes and the rate limits count
