"""Every `aria-describedby` / `aria-labelledby` on every form page names an element that is
in the page (a screen reader reads nothing for a missing id), and every id is unique.

Each form page is rendered as its user sees it, empty and after a submission with errors
(Django adds `<id>_helptext` and `<id>_error` to a field's aria-describedby: the templates must
give the help text and the errors exactly those ids).
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.models import Invitation

pytestmark = pytest.mark.django_db

REFERENCE_ATTRIBUTES = ("aria-describedby", "aria-labelledby", "aria-controls", "for")


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.references: list[tuple[str, str, str]] = []  # (tag, attribute, id)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            elif name in REFERENCE_ATTRIBUTES and value:
                for ref in value.split():
                    self.references.append((tag, name, ref))


def broken_references(html: str) -> tuple[list[str], list[str]]:
    """(references to ids that are not in the page, ids used twice)."""
    parser = _Ids()
    parser.feed(html)
    present = set(parser.ids)
    missing = [
        f"<{tag} {attr}={ref!r}>" for tag, attr, ref in parser.references if ref not in present
    ]
    duplicates = sorted({i for i in parser.ids if parser.ids.count(i) > 1})
    return missing, duplicates


# (persona, path, POST data or None). POST data is deliberately invalid: the page comes back
# with field errors.
PAGES = [
    ("anon", "/accounts/login/", None),
    ("anon", "/accounts/login/", {"username": "", "password": ""}),
    ("anon", "/accounts/signup/", None),
    ("anon", "/accounts/signup/patient/", None),
    ("anon", "/accounts/signup/patient/", {"email": "not-an-email"}),
    ("anon", "/accounts/signup/clinician/", None),
    ("anon", "/accounts/signup/clinician/", {"email": "not-an-email"}),
    ("anon", "/accounts/password-reset/", None),
    ("anon", "/accounts/password-reset/", {"email": "not-an-email"}),
    ("anon", "/accounts/invite/{code}/", None),
    ("pat", "/patient/", None),
    ("pat", "/patient/checkin/", None),
    ("pat", "/patient/checkin/", {"pain": "11", "date": "not a date"}),
    ("pat", "/patient/history/", None),
    ("pat", "/patient/questionnaires/phq9/", None),
    ("pat", "/patient/questionnaires/phq9/", {"item_1": "9"}),
    ("pat", "/patient/questionnaires/fiqr/", None),
    ("pat", "/patient/questionnaires/fiqr/", {"function_1": "99"}),
    ("pat", "/patient/questionnaires/acr2016/", None),
    ("pat", "/patient/questionnaires/acr2016/", {"fatigue": "9"}),
    ("pat", "/patient/medications/", None),
    ("pat", "/patient/medications/", {"drug": "", "started_on": "yesterday-ish"}),
    ("pat", "/patient/sharing/", None),
    ("pat", "/patient/sharing/", {"code": "not-a-code"}),
    ("pat", "/patient/report/", None),
    ("pat", "/accounts/password-change/", None),
    ("pat", "/accounts/password-change/", {"old_password": "wrong"}),
    ("cleo", "/clinician/", None),
    ("cleo", "/clinician/?filter=nonsense", None),
    ("cleo", "/clinician/patients/{pat}/", None),
    ("cleo", "/clinician/alerts/", None),
    ("cleo", "/clinician/alerts/?kind=nonsense", None),
    ("cleo", "/clinician/invitations/", None),
    ("cleo", "/accounts/mfa/", None),
    ("cleo", "/accounts/mfa/", {"token": "12"}),
]


PAGE_IDS = [f"{p}:{u}:{'post' if d else 'get'}" for p, u, d in PAGES]


@pytest.mark.parametrize(("persona", "path", "data"), PAGES, ids=PAGE_IDS)
def test_every_aria_reference_names_an_element_of_the_page(
    client_for, personas, persona, path, data
):
    from clinic.tests import factories as f

    pat, cleo = personas["pat"], personas["cleo"]
    f.alert(pat, "high", title="Mood worsening")
    invitation = Invitation.objects.create(
        clinician=cleo, expires_at=timezone.now() + timedelta(days=7)
    )
    client = client_for(None if persona == "anon" else personas[persona])
    url = path.format(pat=pat.pk, code=invitation.code)

    response = client.get(url) if data is None else client.post(url, data)

    assert response.status_code in (200, 400), response.status_code
    missing, duplicates = broken_references(response.content.decode())
    assert not missing, f"{url}: references to missing ids {missing}"
    assert not duplicates, f"{url}: ids used twice {duplicates}"


def test_the_check_finds_a_dangling_reference():
    html = '<input aria-describedby="id_a_helptext id_a_error" id="id_a"><p id="id_a_help">x</p>'
    missing, _ = broken_references(html)
    assert missing == [
        "<input aria-describedby='id_a_helptext'>",
        "<input aria-describedby='id_a_error'>",
    ]
