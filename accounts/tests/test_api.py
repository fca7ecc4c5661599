import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from conftest import PASSWORD


def test_it_issues_a_token_for_good_credentials(api_client, pat):
    response = api_client().post(
        reverse("api-token"), {"email": "PAT@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=pat).key


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "pat@example.com", "password": "wrong"}, "non_field_errors"),
        ({"email": "pat@example.com"}, "password"),
        ({"email": "nope", "password": "x"}, "email"),
        ({}, "email"),
    ],
)
def test_it_answers_bad_credentials_with_field_errors(api_client, pat, body, field):
    response = api_client().post(reverse("api-token"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Token.objects.exists()


def test_malformed_json_is_a_400(api_client, db):
    response = api_client().post(reverse("api-token"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_me_answers_who_is_calling(api_client, pat):
    client = api_client()
    token = client.post(
        reverse("api-token"), {"email": "pat@example.com", "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = client.get(reverse("api-me")).json()
    assert body["id"] == pat.pk and body["email"] == "pat@example.com" and body["role"] == "patient"


def test_me_needs_authentication(api_client, db):
    assert api_client().get(reverse("api-me")).status_code in (401, 403)


def test_the_schema_and_docs_are_served(client, pat):
    client.force_login(pat)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    assert client.get("/api/docs/").status_code == 200
