import re

from django.core import mail
from django.urls import reverse

from conftest import PASSWORD


def test_it_emails_a_one_time_reset_link_that_sets_a_new_password(client, pat):
    response = client.post(reverse("password_reset"), {"email": "pat@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "another-long-unusual-passphrase"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    pat.refresh_from_db()
    assert pat.check_password(new_password)
    assert not pat.check_password(PASSWORD)


def test_it_says_the_same_for_unknown_addresses_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
