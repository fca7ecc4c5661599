"""No Docker engine runs here, so check the compose file agrees with the settings and Makefile."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_defines_the_full_stack():
    assert set(SERVICES) == {"web", "worker", "beat", "db", "redis"}
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in SERVICES["db"]["volumes"])


def test_every_service_has_a_health_check_or_is_beat():
    for name, service in SERVICES.items():
        if name != "beat":
            assert "healthcheck" in service, name


def test_app_services_run_the_right_commands():
    assert "gunicorn portal.wsgi:application" in SERVICES["web"]["command"]
    assert "migrate" in SERVICES["web"]["command"]
    assert SERVICES["worker"]["command"].startswith("celery -A portal worker")
    assert SERVICES["beat"]["command"].startswith("celery -A portal beat")


def test_app_environment_matches_the_settings_module():
    settings_source = (ROOT / "portal" / "settings.py").read_text()
    for name in ("web", "worker", "beat"):
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
