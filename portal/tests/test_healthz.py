import pytest
from django.urls import reverse


def test_it_reports_database_and_eager_broker(client, db, settings):
    settings.REDIS_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "eager",
        "notifications_failed": 0,
        "status": "ok",
    }


def test_it_reports_a_broker_that_is_down(client, db, settings):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_it_reports_a_reachable_broker(client, db, settings, require_redis):
    settings.REDIS_URL = require_redis
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


@pytest.mark.parametrize(
    "role_user, target", [("pat", "/patient/"), ("cleo", "/clinician/"), ("ada", "/admin/")]
)
def test_home_routes_by_role(personas, client_for, role_user, target):
    response = client_for(personas[role_user]).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_sends_anonymous_users_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
