from alerts.models import Alert


def test_the_clinician_navigation_counts_open_alerts(pat, cleo, uma, client_for):
    Alert.objects.create(
        patient=pat, kind="mood_worsening", severity="high", title="t", dedupe_key="k"
    )
    body = client_for(cleo).get("/clinician/").content.decode()
    assert '<span class="badge" aria-label="1 unread">1</span>' in body
    assert 'class="badge"' not in client_for(uma).get("/clinician/").content.decode()


def test_the_badge_waits_for_the_second_factor(pat, cleo, client_for, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED = True
    TOTPDevice.objects.create(user=cleo, name="phone", confirmed=True)
    Alert.objects.create(
        patient=pat, kind="mood_worsening", severity="high", title="t", dedupe_key="k"
    )
    response = client_for(cleo).get("/clinician/", follow=True)
    assert "/accounts/mfa/" in response.redirect_chain[-1][0]
    assert 'class="badge"' not in response.content.decode()
