"""gunicorn settings for the web service (Dockerfile CMD and docker-compose read this file).

Threaded workers (`gthread`): a request waiting on PostgreSQL holds one thread, not a whole
process, and a slow client cannot pin a process because nginx (deploy/nginx) buffers each request
and response completely before gunicorn sees it. `max_requests` with jitter recycles each process
now and then, so a slow leak never grows without bound and the processes never restart together.
Every value can be changed from the environment; command-line flags override this file.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
# Two processes per container by default: scale with `docker compose up --scale web=N`.
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)
# A request still running after this many seconds gets its process restarted (and a 502 at the
# proxy): the database statement timeout should fire first.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Heartbeat files on tmpfs: on a container's overlay file system a slow disk can stall workers
# into false timeouts (gunicorn's own advice for Docker).
_TMPFS = "/dev/shm"  # noqa: S108  # nosec B108 - heartbeat files only, never data
worker_tmp_dir = _TMPFS if os.path.isdir(_TMPFS) else None
# Only the proxy may set X-Forwarded-* for gunicorn (in compose the web port is not published,
# so the compose command widens this to every address of the private network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
# The access log holds paths, never bodies or query strings of writes; ids only (no PHI in URLs).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
