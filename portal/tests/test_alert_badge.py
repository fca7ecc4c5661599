from alerts.models import Alert


def test_the_clinician_navigation_counts_open_alerts(pat, cleo, uma, client_for):
    Alert.objects.create(
        patient=pat, kind="mood_worsening", severity="high", title="t", dedupe_key="k"
    )
    body = client_for(cleo).get("/clinician/").content.decode()
    assert '<span class="badge" aria-label="1 unread">1</span>' in body
    assert 'class="badge"' not in client_for(uma).get("/clinician/").content.decode()
