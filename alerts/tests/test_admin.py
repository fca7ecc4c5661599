import pytest

from alerts.models import Alert
from alerts.services import sync_alerts
from alerts.tests.factories import entry

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_alerts_read_only(client_for, ada, pat):
    entry(pat, 0, self_harm_thoughts=True)
    sync_alerts(pat)
    alert = Alert.objects.get()
    client = client_for(ada)
    assert client.get("/admin/alerts/alert/").status_code == 200
    assert client.get(f"/admin/alerts/alert/{alert.pk}/change/").status_code == 200
    assert client.get("/admin/alerts/alert/add/").status_code == 403
