"""Production settings plus one route, the framework floor, for bench/bench_http.py only.

`/bench/floor` answers a constant "ok" after the whole middleware stack (sessions,
authentication, CSRF, CSP, OTP, axes...): what any page costs before its own work. It exists
only under this settings module, so it never ships in the portal's URLs.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
