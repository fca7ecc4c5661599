"""No Docker engine runs here, so check the compose file agrees with the settings and Makefile.

The proxy itself runs for real in tests/test_slow_clients.py (Debian's nginx, same config files).
"""

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
TLS_OVERRIDE = yaml.safe_load((ROOT / "docker-compose.tls.yml").read_text())
SERVICES = COMPOSE["services"]
NGINX = ROOT / "deploy" / "nginx"


def test_it_defines_the_full_stack():
    assert set(SERVICES) == {"proxy", "migrate", "web", "worker", "beat", "db", "redis"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in SERVICES["db"]["volumes"])


def test_every_service_has_a_health_check_or_is_beat():
    for name, service in SERVICES.items():
        if name not in {"beat", "migrate"}:  # beat has no port; migrate runs once and exits
            assert "healthcheck" in service, name


def test_app_services_run_the_right_commands():
    web = shlex.split(SERVICES["web"]["command"])
    assert web[:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    assert web[-1] == "portal.wsgi:application"
    # Migrations run once, before any web replica starts, not in each replica.
    assert SERVICES["migrate"]["command"] == "python manage.py migrate --noinput"
    assert SERVICES["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert SERVICES["worker"]["command"].startswith("celery -A portal worker")
    assert SERVICES["beat"]["command"].startswith("celery -A portal beat")


def test_app_environment_matches_the_settings_module():
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    for name in ("migrate", "web", "worker", "beat"):
        environment = SERVICES[name]["environment"]
        assert (
            environment["DATABASE_URL"].startswith("postgres://")
            and "@db:5432/" in environment["DATABASE_URL"]
        )
        assert environment["REDIS_URL"].startswith("redis://redis:6379")
        assert environment["DEBUG"] == "0"
        for variable in environment:
            assert f'"{variable}"' in settings_source, (
                f"{variable} is not read by portal/settings.py"
            )
        depends = SERVICES[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"


def test_the_database_credentials_agree():
    db_env = SERVICES["db"]["environment"]
    url = SERVICES["web"]["environment"]["DATABASE_URL"]
    assert url == (
        f"postgres://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"
    )


def test_the_celery_app_named_in_commands_exists():
    from portal.celery import app

    assert app.main == "portal"


def test_gunicorn_uses_threaded_workers_with_a_timeout_and_recycling(monkeypatch):
    for variable in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(variable, raising=False)
    config = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)  # noqa: S102 - our own config file
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2
    assert 0 < config["timeout"] <= 60
    assert config["max_requests"] > 0
    assert 0 < config["max_requests_jitter"] < config["max_requests"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"]' in dockerfile


def test_only_the_proxy_is_published_and_web_trusts_exactly_one_proxy():
    published = {name for name, service in SERVICES.items() if "ports" in service}
    assert published == {"proxy"}
    assert SERVICES["web"]["expose"] == ["8000"]
    assert SERVICES["proxy"]["image"].startswith("nginx:")
    assert SERVICES["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    environment = SERVICES["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    assert environment["AXES_PROXY_COUNT"] == "1"
    # Workers and beat take no requests: no proxy settings there.
    assert "AXES_PROXY_COUNT" not in SERVICES["worker"]["environment"]


def test_the_proxy_mounts_the_repository_config_and_tls_is_an_override():
    volumes = SERVICES["proxy"]["volumes"]
    assert "./deploy/nginx:/etc/nginx/portal:ro" in volumes
    assert "./deploy/nginx/site-http.conf:/etc/nginx/conf.d/default.conf:ro" in volumes
    tls = TLS_OVERRIDE["services"]["proxy"]
    assert any(
        v.startswith("./deploy/nginx/site-https.conf:/etc/nginx/conf.d/default.conf")
        for v in tls["volumes"]
    )
    assert any(v.endswith(":/etc/nginx/certs:ro") for v in tls["volumes"])
    https = (NGINX / "site-https.conf").read_text()
    assert "ssl_certificate /etc/nginx/certs/fullchain.pem;" in https
    assert "return 301 https://$host$request_uri;" in https
    for site in ("site-http.conf", "site-https.conf"):
        text = (NGINX / site).read_text()
        assert "include /etc/nginx/portal/http.conf;" in text
        assert "include /etc/nginx/portal/proxy.conf;" in text


def _directive(text: str, name: str) -> str:
    match = re.search(rf"^\s*{name}\s+([^;]+);", text, re.MULTILINE)
    assert match, name
    return match.group(1).strip()


def test_the_proxy_bounds_slow_clients_and_bodies_and_sets_forwarded_headers(settings):
    http = (NGINX / "http.conf").read_text()
    for timeout in ("client_header_timeout", "client_body_timeout"):
        assert _directive(http, timeout) == "10s"
    assert _directive(http, "send_timeout") == "30s"
    assert _directive(http, "proxy_request_buffering") == "on"
    assert _directive(http, "proxy_buffering") == "on"
    # nginx's limit sits above Django's, so the app answers its own (JSON) error first, and
    # at most 5 MB ever reaches a gunicorn thread.
    body_limit = _directive(http, "client_max_body_size")
    assert body_limit.endswith("m")
    limit_bytes = int(body_limit[:-1]) * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= limit_bytes <= 5 * 1024 * 1024
    # Compose's DNS, re-resolved so scaled web replicas are found.
    assert _directive(http, "resolver").startswith("127.0.0.11 valid=")
    proxy = (NGINX / "proxy.conf").read_text()
    assert "set $portal_web http://web:8000;" in proxy
    assert "proxy_pass $portal_web;" in proxy
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy
    assert "proxy_set_header Host $host;" in proxy


def test_the_web_health_check_is_valid_python_that_asks_as_the_proxy_would():
    command = SERVICES["web"]["healthcheck"]["test"]
    assert command[:3] == ["CMD", "python", "-c"]
    source = command[3]
    compile(source, "healthcheck", "exec")
    assert "'X-Forwarded-Proto': 'https'" in source
    assert "ALLOWED_HOSTS" in source
