"""Access matrix: every route of the URL resolver and every operation of the OpenAPI schema,
for every method, as each persona, against Pat's objects.

Personas (conftest.py): anonymous, Pat (owner), Sam (another patient), Cleo (linked), Uma
(unlinked), Rex (revoked), Val (unverified, linked), Ada (admin); and the care-team personas
(the `world` fixture; Pat shares with "Pat's Clinic"): Tom (a clinician member), Tia (a triage
member: everything Tom may do except exports), Ted (team admin only: no patient data), Ron (a
removed member) and Otto (a clinician of another team). A row that does not name a team persona
expects of it what it expects of the first-wave persona it resembles (LIKE). Each (route, method)
test runs the request once per persona, each inside a savepoint that is rolled back, and checks:

* the expected status (the table below; a route without a row fails `test_every_route_has_a_row`);
* no 5xx, ever;
* nobody outside the row's `sees` set gets any of Pat's marker strings back (notes, medicine name,
  alert title, name, email) - "zero leaks" whatever the status;
* Pat never sees Sam's markers;
* Pat's record in the database is unchanged after the request unless the persona is one of the
  row's `writers` (write bodies name `patient: <Pat>`, so this is also the mass-assignment check);
* on rows marked `audited`, Cleo's successful read writes exactly one AuditEvent.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.generic.edit import ProcessFormView
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, CareLink, Invitation, User
from alerts.models import Alert, AlertEvent
from conftest import make_clinician
from journal.models import DailyEntry, QuestionnaireResponse
from journal.selectors import patient_today
from medications.models import MedicationCourse
from teams.models import Team, TeamInvitation, TeamMembership, TeamRole

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

FIRST_PERSONAS = ("anon", "pat", "sam", "cleo", "uma", "rex", "val", "ada")
# Care-team personas and the first-wave persona each one resembles by default.
LIKE = {"tom": "cleo", "tia": "cleo", "ted": "uma", "ron": "rex", "otto": "uma"}
PERSONAS = FIRST_PERSONAS + tuple(LIKE)
TEAM_READERS = ("tom", "tia")  # see what Cleo sees (reads), through the team
CLINICIANS = ("cleo", "uma", "rex", "val")
OTHERS = ("sam", "uma", "rex", "val", "ada")  # never see Pat's record

MARK_NOTE = "Zqpatnote7731"
MARK_MED = "Zqpatmedcanary"
MARK_ALERT = "Zqpatalert7731"
SAM_NOTE = "Zqsamnote4410"
PAT_MARKERS = (MARK_NOTE, MARK_MED, MARK_ALERT, "Pat Patient", "pat@example.com")
SAM_MARKERS = (SAM_NOTE, "Sam Other", "sam@example.com")


# --- outcome tokens ----------------------------------------------------------------------------
def _login_redirect(response, prefix="/accounts/login/") -> bool:
    return response.status_code == 302 and response["Location"].startswith(prefix)


OUTCOMES = {
    "200": lambda r: r.status_code == 200,
    "201": lambda r: r.status_code == 201,
    "204": lambda r: r.status_code == 204,
    "302": lambda r: r.status_code == 302,
    "400": lambda r: r.status_code == 400,
    "403": lambda r: r.status_code == 403,
    "404": lambda r: r.status_code == 404,
    "405": lambda r: r.status_code == 405,
    "503": lambda r: r.status_code == 503,
    "login": _login_redirect,
    "admin-login": lambda r: _login_redirect(r, "/admin/login/"),
    # API refusal of an anonymous caller: 401 or 403 (DRF answers 403 when session auth is first).
    "deny": lambda r: r.status_code in (401, 403),
    # success of a page form: a 2xx, or a redirect that is not to the login page
    "ok": lambda r: (
        200 <= r.status_code < 300 or (r.status_code in (301, 302, 303) and not _login_redirect(r))
    ),
}


def outcome_matches(expect, response) -> bool:
    tokens = (expect,) if isinstance(expect, str) else expect
    return any(OUTCOMES[token](response) for token in tokens)


@dataclass
class Row:
    """Expected outcome per method and persona; `sees` may get Pat's data back; `writers` may
    change Pat's record; `query` is appended to the URL; `body` per method."""

    expect: dict
    sees: tuple = ("pat", "cleo")
    writers: tuple = ("pat",)
    query: str = ""
    body: dict = field(default_factory=dict)
    audited: bool = False  # Cleo's successful GET writes exactly one AuditEvent
    # An export of the record (report, CSV, FHIR): triage members get what Uma gets.
    export: bool = False

    def __post_init__(self) -> None:
        # What Cleo may read or change, the team's clinician and triage member may too.
        if "cleo" in self.sees:
            self.sees = (*self.sees, *TEAM_READERS)
        if "cleo" in self.writers:
            self.writers = (*self.writers, *TEAM_READERS)
        if self.export:
            self.sees = tuple(p for p in self.sees if p != "tia")
            for method, table in self.expect.items():
                self.expect[method] = {**table, "tia": table["uma"]}


def each(**by_persona) -> dict:
    """Expectations for every persona; `rest=` fills the first-wave ones not named, and a team
    persona not named expects what the persona it resembles (LIKE) expects."""
    rest = by_persona.pop("rest", None)
    table = {p: by_persona.get(p, rest) for p in FIRST_PERSONAS}
    for persona, like in LIKE.items():
        table[persona] = by_persona.get(persona, table[like])
    missing = [p for p, v in table.items() if v is None]
    assert not missing, f"no expectation for {missing}"
    return table


SAME = object()  # the row's body for a method is the same for every persona


# Frequently used persona rows.
def public(status="200"):
    return each(rest=status)


def patient_page(owner="200", other_patient="200"):
    return each(anon="login", pat=owner, sam=other_patient, rest="404")


def patient_object(owner="200"):
    """A page about one of Pat's objects: only Pat; other patients 404; other roles 404."""
    return each(anon="login", pat=owner, rest="404")


def patient_object_post_only():
    """GET on a POST-only patient action: 405 for any patient (before the lookup), else 404."""
    return each(anon="login", pat="405", sam="405", rest="404")


FORM = ("200", "400")  # a form page re-rendered with field errors (some answer 400)


def clinician_list(owner="200", val="404"):
    return each(
        anon="login", pat="404", sam="404", cleo=owner, uma=owner, rex=owner, val=val, ada="404"
    )


def clinician_object(cleo="200"):
    return each(anon="login", cleo=cleo, rest="404")


def clinician_post_only():
    """GET on a POST-only clinician action: 405 for any verified clinician (no lookup is made,
    nothing is revealed), 404 for everyone else."""
    return each(anon="login", cleo="405", uma="405", rex="405", rest="404")


def signed_in(status="200", anon="login"):
    return each(anon=anon, rest=status)


API_DENY = "deny"
NOT_YOURS = ("403", "404")  # a clinician's read-only refusal or out of scope


def api_list_read(patient_other=("404", "200")):
    """A patient-data list read with ?patient=<Pat>: Pat and Cleo see it; others 404/empty."""
    return each(
        anon=API_DENY,
        pat="200",
        sam=patient_other,
        cleo="200",
        uma="404",
        rex="404",
        val="404",
        ada=("403", "404"),
    )


def api_list_write(owner="201"):
    return each(
        anon=API_DENY,
        pat=owner,
        sam=owner,
        cleo="403",
        uma=NOT_YOURS,
        rex=NOT_YOURS,
        val=NOT_YOURS,
        ada=NOT_YOURS,
    )


def api_object_read():
    return each(anon=API_DENY, pat="200", cleo="200", rest="404")


def api_object_write(owner="200"):
    return each(
        anon=API_DENY,
        pat=owner,
        cleo=NOT_YOURS + ("405",),
        sam="404",
        uma="404",
        rex="404",
        val="404",
        ada="404",
    )


# Members of exactly one team are sent on to it.
TEAM_MEMBERS_302 = {"tom": "302", "tia": "302", "ted": "302", "otto": "302"}


def team_post_only():
    """GET on a POST-only team action: 405 for every clinician (before any lookup)."""
    return each(
        anon="login",
        pat="404",
        sam="404",
        ada="404",
        rest="405",
        tom="405",
        tia="405",
        ted="405",
        ron="405",
        otto="405",
    )


def api_clinician_action(created="200"):
    return each(anon=API_DENY, pat="403", sam="403", cleo=created, rest="404")


def today():
    """Pat's calendar day (America/New_York): the day her pages and the API call "today"."""
    return patient_today(User.objects.get(email="pat@example.com"))


ENTRY_BODY = {
    "date": "{yesterday2}",
    "pain": 3,
    "fatigue": 3,
    "sleep_quality": 6,
    "cognition": 3,
    "mood": 6,
    "pain_regions": [],
    "serotonin_symptoms": [],
    "self_harm_thoughts": False,
    "notes": "written by the matrix",
    "patient": "{pat}",
}
MED_BODY = {
    "drug": "sertraline",
    "dose": "50",
    "unit": "mg",
    "frequency": "daily",
    "started_on": "{today}",
    "patient": "{pat}",
}
PHQ9_BODY = {"instrument": "phq9", "answers": {"items": [0] * 9}, "patient": "{pat}"}

TABLE: dict[str, Row] = {
    # --- portal ---
    "": Row({"GET": each(anon="login", rest="302"), "POST": each(anon="login", rest="302")}),
    "healthz": Row({"GET": public(("200", "503")), "POST": public("405")}),
    # The language switch (issue 15): POST only; it changes only the caller's own language.
    "i18n/setlang/": Row({"GET": public("405"), "POST": public("302")}, sees=(), writers=()),
    "api/schema/": Row({"GET": public()}),
    "api/docs/": Row({"GET": public()}),
    # --- accounts: public pages ---
    "accounts/login/": Row(
        {"GET": each(anon="200", rest="302"), "POST": each(anon="200", rest="302")},
        body={"POST": {"username": "nobody@example.com", "password": "not-the-password"}},
    ),
    "accounts/logout/": Row({"GET": public("405"), "POST": public("302")}),
    "accounts/signup/": Row({"GET": public(), "POST": public()}),
    "accounts/signup/patient/": Row({"GET": public(), "POST": public()}),
    "accounts/signup/clinician/": Row({"GET": public(), "POST": public()}),
    "accounts/signup/check-email/": Row({"GET": public(), "POST": public("405")}),
    # An invalid confirmation link ("bad-token" in _kwarg_values): "this link no longer works".
    "accounts/signup/confirm/<str:token>/": Row({"GET": public("400"), "POST": public("400")}),
    "accounts/invite/<str:code>/": Row(
        {
            "GET": each(pat="302", sam="302", rest="200"),
            "POST": each(pat="302", sam="302", rest="200"),
        }
    ),
    "accounts/password-reset/": Row(
        {"GET": public(), "POST": public("302")}, body={"POST": {"email": "nobody@example.com"}}
    ),
    "accounts/password-reset/done/": Row({"GET": public(), "POST": public("405")}),
    "accounts/reset/<uidb64>/<token>/": Row({"GET": public(), "POST": public()}),
    "accounts/reset/done/": Row({"GET": public(), "POST": public("405")}),
    "accounts/password-change/": Row({"GET": signed_in(), "POST": signed_in()}),
    "accounts/password-change/done/": Row({"GET": signed_in(), "POST": signed_in("405")}),
    # --- the self-service account page (each persona's own settings) ---
    "account/": Row(
        {"GET": signed_in(), "POST": signed_in("302")},
        body={"POST": {"section": "language", "language": "es"}},
    ),
    # Links from emails work without signing in; "bad-token" is the invalid-link page.
    # --- data rights (patients only; another patient gets their own export) ---
    "account/export/": Row(
        {"GET": patient_page(), "POST": patient_page()}, sees=("pat",), writers=()
    ),
    # A wrong password: 400 and nothing deleted, for any patient.
    "account/delete/": Row(
        {"GET": patient_page(), "POST": patient_page("400", "400")},
        sees=("pat",),
        writers=(),
        body={"POST": {"password": "not-the-password"}},
    ),
    "patient/access-log/": Row(
        {"GET": patient_page(), "POST": patient_page("405", "405")}, sees=("pat",), writers=()
    ),
    "account/email/confirm/<str:token>/": Row({"GET": public("400"), "POST": public("400")}),
    "account/unsubscribe/<str:token>/": Row({"GET": public("400"), "POST": public("400")}),
    # --- accounts: two-step verification (MFA_REQUIRED is off here; see test_security_mfa) ---
    # Cleo has an authenticator (the world fixture): she is sent to verify; the others to enrol.
    "accounts/mfa/": Row(
        {
            "GET": each(anon="login", pat="404", sam="404", cleo="302", rest="200"),
            "POST": each(anon="login", pat="404", sam="404", cleo="302", rest="200"),
        },
        body={"POST": {"code": "000000"}},
    ),
    "accounts/mfa/verify/": Row(
        {
            "GET": each(anon="login", pat="404", sam="404", cleo="200", rest="302"),
            "POST": each(anon="login", pat="404", sam="404", cleo="200", rest="302"),
        }
    ),
    "accounts/mfa/recovery-codes/": Row(
        {"GET": each(anon="login", rest="404"), "POST": each(anon="login", rest="404")}
    ),
    # --- sharing ---
    "patient/sharing/": Row(
        {"GET": patient_page(), "POST": patient_page()}, body={"POST": {"code": "NOSUCHCODE"}}
    ),
    # Accepting is for pending links; Pat's link to Cleo is already active (404 for her too).
    "patient/sharing/<int:link_id>/accept/": Row(
        {
            "GET": each(anon="login", pat="405", sam="405", rest="404"),
            "POST": each(anon="login", rest="404"),
        }
    ),
    "patient/sharing/<int:link_id>/revoke/": Row(
        {
            "GET": each(anon="login", pat="405", sam="405", rest="404"),
            "POST": each(anon="login", pat="302", rest="404"),
        }
    ),
    "clinician/invitations/": Row(
        {
            "GET": each(anon="login", pat="404", sam="404", ada="404", rest="200"),
            "POST": each(anon="login", pat="404", sam="404", ada="404", rest="302"),
        },
        sees=("pat",),
        writers=(),
    ),
    # --- patient pages ---
    "patient/": Row({"GET": patient_page(), "POST": patient_page(("200", "405"), ("200", "405"))}),
    "patient/checkin/": Row({"GET": patient_page(), "POST": patient_page(FORM, FORM)}),
    "patient/history/": Row(
        {"GET": patient_page(), "POST": patient_page(("200", "405"), ("200", "405"))}
    ),
    "patient/questionnaires/<slug:instrument>/": Row(
        {"GET": patient_page(), "POST": patient_page(FORM, FORM)}
    ),
    "patient/questionnaires/saved/<int:response_id>/": Row(
        {"GET": patient_object(), "POST": patient_object_post_only()}
    ),
    "patient/checkin/<int:entry_id>/delete/": Row(
        {"GET": patient_object(), "POST": patient_object("302")}
    ),
    "patient/questionnaires/saved/<int:response_id>/delete/": Row(
        {"GET": patient_object(), "POST": patient_object("302")}
    ),
    "patient/medications/": Row(
        {"GET": patient_page(), "POST": patient_page(FORM, FORM)}, body={"POST": {"name": ""}}
    ),
    "patient/medications/<int:pk>/change-dose/": Row(
        {"GET": patient_object_post_only(), "POST": patient_object(("ok", "400"))},
        body={"POST": {"dose": "20", "unit": "mg", "changed_on": "{today}"}},
    ),
    "patient/medications/<int:pk>/stop/": Row(
        {"GET": patient_object_post_only(), "POST": patient_object(("ok", "400"))},
        body={"POST": {"stopped_on": "{today}"}},
    ),
    # Confirming "Did you mean ...?": Pat's course is recognised already, so 400 (nothing saved).
    "patient/medications/<int:pk>/correct/": Row(
        {"GET": patient_object(), "POST": patient_object(("302", "400"))},
        body={"POST": {"started_on": "{today}", "dose": "20", "unit": "mg"}},
    ),
    "patient/medications/<int:pk>/delete/": Row(
        {"GET": patient_object(), "POST": patient_object("302")}
    ),
    "patient/medications/<int:pk>/confirm-drug/": Row(
        {"GET": patient_object_post_only(), "POST": patient_object(("ok", "400"))},
        body={"POST": {"drug": "sertraline"}},
    ),
    "patient/report/": Row(
        {"GET": patient_page(), "POST": patient_page(("200", "405"), ("200", "405"))}
    ),
    "patient/report/report.<str:fmt>": Row(
        {"GET": patient_page(), "POST": patient_page(("200", "405"), ("200", "405"))}
    ),
    # --- clinician pages ---
    "clinician/": Row(
        {
            "GET": clinician_list(val="200"),
            "POST": clinician_list(("200", "405"), val=("200", "405")),
        },
        sees=("cleo",),
        audited=True,
    ),
    "clinician/patients/<int:patient_id>/": Row(
        {"GET": clinician_object(), "POST": clinician_object(("200", "405"))},
        sees=("cleo",),
        audited=True,
    ),
    "clinician/patients/<int:patient_id>/notes/": Row(
        {"GET": clinician_object(), "POST": clinician_object(("200", "405"))},
        sees=("cleo",),
        audited=True,
        query="?q=zqpat",
    ),
    "clinician/patients/<int:patient_id>/hunter/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object(("200", "400"))},
        sees=("cleo",),
        writers=("cleo",),
    ),
    "clinician/patients/<int:patient_id>/report.<str:fmt>": Row(
        {"GET": clinician_object(), "POST": clinician_object(("200", "405"))},
        sees=("cleo",),
        audited=True,
        export=True,
    ),
    "clinician/alerts/": Row(
        {"GET": clinician_list(), "POST": clinician_list(("200", "405"))},
        sees=("cleo",),
        audited=True,
    ),
    # Bulk acknowledge: Uma and Rex get the same redirect as Cleo (ids out of scope are
    # ignored without a word) and change nothing; only Cleo writes.
    "clinician/alerts/acknowledge/": Row(
        {
            "GET": clinician_post_only(),
            "POST": each(anon="login", cleo="302", uma="302", rex="302", rest="404"),
        },
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"alert": ["{alert}"]}},
    ),
    # The navigation badge: a count of the clinician's own panel, never a name.
    "clinician/alerts/badge/": Row(
        {"GET": clinician_list(), "POST": clinician_list(("200", "405"))},
        sees=("cleo",),
    ),
    "clinician/alerts/<int:alert_id>/acknowledge/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object("302")},
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"note": "seen by the matrix"}},
    ),
    "clinician/alerts/<int:alert_id>/note/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object("302")},
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"note": "a note from the matrix"}},
    ),
    "clinician/alerts/<int:alert_id>/resolve/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object("302")},
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"note": "resolved by the matrix"}},
    ),
    # Alert ownership: whoever sees the patient (Tom, and Tia the triage member, through the
    # team) may take an alert on or hand it back; Ted (team admin only), Ron (removed) and
    # Otto (another team) 404 like Uma and Rex.
    "clinician/alerts/<int:alert_id>/assign/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object("302")},
        sees=("cleo",),
        writers=("cleo",),
    ),
    "clinician/alerts/<int:alert_id>/unassign/": Row(
        {"GET": clinician_post_only(), "POST": clinician_object("302")},
        sees=("cleo",),
        writers=("cleo",),
    ),
    # --- API: accounts ---
    "api/v1/auth/token/": Row(
        {"POST": public("400"), "DELETE": each(anon=API_DENY, rest="204")},
        body={"POST": {"email": "nobody@example.com", "password": "not-the-password"}},
    ),
    "api/v1/me/": Row({"GET": each(anon=API_DENY, rest="200")}),
    "api/v1/me/access-log/": Row(
        {"GET": each(anon=API_DENY, pat="200", sam="200", rest="403")},
        sees=("pat",),
        writers=(),
    ),
    "api/v1/me/preferences/": Row(
        {"GET": each(anon=API_DENY, rest="200"), "PATCH": each(anon=API_DENY, rest="200")},
        body={"PATCH": {"language": "es"}},
    ),
    # --- API: journal ---
    "api/v1/entries/": Row(
        {"GET": api_list_read(), "POST": api_list_write()},
        query="?patient={pat}",
        body={"POST": ENTRY_BODY},
        audited=True,
    ),
    "api/v1/entries/<int:pk>/": Row(
        {"GET": api_object_read(), "PATCH": api_object_write(), "DELETE": api_object_write("204")},
        body={"PATCH": {"notes": "changed by the matrix", "patient": "{sam}"}},
        audited=True,
    ),
    "api/v1/questionnaires/": Row(
        {"GET": api_list_read(), "POST": api_list_write()},
        query="?patient={pat}",
        body={"POST": PHQ9_BODY},
        audited=True,
    ),
    "api/v1/questionnaires/<int:pk>/": Row({"DELETE": api_object_write("204")}),
    # --- API: medications ---
    "api/v1/drugs/": Row({"GET": each(anon=API_DENY, rest="200")}, query="?q=sert"),
    "api/v1/interactions/check/": Row(
        {"POST": each(anon=API_DENY, rest="200")}, body={"POST": {"drugs": ["sertraline"]}}
    ),
    "api/v1/medications/": Row(
        {"GET": api_list_read(), "POST": api_list_write()},
        query="?patient={pat}",
        body={"POST": MED_BODY},
        audited=True,
    ),
    "api/v1/medications/<int:pk>/": Row(
        {"GET": api_object_read(), "PATCH": api_object_write(), "DELETE": api_object_write("204")},
        body={"PATCH": {"dose": "20", "patient": "{sam}"}},
        audited=True,
    ),
    "api/v1/medications/<int:pk>/change-dose/": Row(
        {"POST": api_object_write(("200", "201"))},
        body={"POST": {"dose": "20", "changed_on": "{today}"}},
    ),
    # --- API: alerts ---
    "api/v1/alerts/": Row(
        {"GET": api_list_read(patient_other="404")}, query="?patient={pat}", audited=True
    ),
    "api/v1/alerts/<int:pk>/": Row({"GET": api_object_read()}, audited=True),
    "api/v1/alerts/<int:pk>/acknowledge/": Row(
        {"POST": api_clinician_action()}, sees=("cleo",), writers=("cleo",)
    ),
    "api/v1/alerts/<int:pk>/resolve/": Row(
        {"POST": api_clinician_action()},
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"note": "resolved by the matrix"}},
    ),
    "api/v1/alerts/<int:pk>/notes/": Row(
        {"POST": api_clinician_action(created="201")},
        sees=("cleo",),
        writers=("cleo",),
        body={"POST": {"note": "a note from the matrix"}},
    ),
    "api/v1/alerts/<int:pk>/assign/": Row(
        {"POST": api_clinician_action()}, sees=("cleo",), writers=("cleo",)
    ),
    "api/v1/alerts/<int:pk>/unassign/": Row(
        {"POST": api_clinician_action()}, sees=("cleo",), writers=("cleo",)
    ),
    # --- API: clinic ---
    "api/v1/patients/": Row(
        {"GET": each(anon=API_DENY, cleo="200", rest=("200", "403", "404"))},
        sees=("cleo",),
        audited=True,
    ),
    "api/v1/patients/<int:patient_id>/": Row(
        {"GET": each(anon=API_DENY, cleo="200", rest=("403", "404"))}, sees=("cleo",), audited=True
    ),
    "api/v1/patients/<int:patient_id>/fhir/": Row(
        {"GET": each(anon=API_DENY, pat="200", cleo="200", rest=("403", "404"))},
        audited=True,
        export=True,
    ),
    # --- care teams (no patient data on these pages) ---
    "team/": Row(
        {
            "GET": each(
                anon="login", pat="404", sam="404", ada="404", rest="200", **TEAM_MEMBERS_302
            ),
            "POST": each(
                anon="login", pat="404", sam="404", ada="404", rest="200", **TEAM_MEMBERS_302
            ),
        },
        sees=("pat",),
        writers=(),
    ),
    "team/<int:team_id>/": Row(
        {
            "GET": each(anon="login", tom="200", tia="200", ted="200", rest="404"),
            "POST": each(anon="login", tom="200", tia="200", ted="200", rest="404"),
        },
        sees=("pat",),
        writers=(),
    ),
    "team/<int:team_id>/invite/": Row(
        {"GET": team_post_only(), "POST": each(anon="login", ted="400", rest="404")},
        sees=("pat",),
        writers=(),
    ),
    "team/<int:team_id>/invitations/<int:invitation_id>/cancel/": Row(
        {"GET": team_post_only(), "POST": each(anon="login", ted="302", rest="404")},
        sees=("pat",),
        writers=(),
    ),
    # The membership in the URL is Tia's: she may leave, Ted (team admin) may remove her.
    "team/<int:team_id>/members/<int:membership_id>/end/": Row(
        {"GET": team_post_only(), "POST": each(anon="login", ted="302", tia="302", rest="404")},
        sees=("pat",),
        writers=(),
    ),
    "team/<int:team_id>/patient-code/": Row(
        {
            "GET": team_post_only(),
            "POST": each(anon="login", tom="302", tia="302", ted="302", rest="404"),
        },
        sees=("pat",),
        writers=(),
    ),
    # "bad-token": no such invitation.
    "team/join/<str:token>/": Row(
        {"GET": each(anon="login", rest="404"), "POST": each(anon="login", rest="404")},
        sees=("pat",),
        writers=(),
    ),
}

# The Django admin: staff only (everyone else is sent to the admin login); Ada sees everything.
# Ada may get 403 where the admin is read-only (audit trail, lockout logs: no "add"/"delete").
ADMIN_ROW = Row(
    {"GET": each(ada=("200", "302", "403", "404"), rest="admin-login")}, sees=("ada",), writers=()
)
ADMIN_SPECIAL = {
    # "You are signed in as <your own email>": each persona sees only themself.
    "admin/login/": Row({"GET": each(ada="302", rest="200")}, sees=("pat",)),
    "admin/logout/": Row(
        {"GET": public(("200", "302", "405")), "POST": public(("200", "302"))}, sees=()
    ),
}


# --- enumeration ---------------------------------------------------------------------------
def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def all_routes() -> dict[str, URLPattern]:
    return dict(walk(get_resolver().url_patterns))


def row_for(route: str) -> Row | None:
    if route in TABLE:
        return TABLE[route]
    if route in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[route]
    if route.startswith("admin/"):
        return ADMIN_ROW
    return None


def implemented_methods(pattern: URLPattern) -> set[str] | None:
    """HTTP methods a class-based view implements; None for function views (GET+POST tested)."""
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is None:
        return None
    methods = set()
    for name in ("get", "post", "put", "patch", "delete"):
        handler = getattr(view_class, name, None)
        if handler is None:
            continue
        if name == "put" and handler is ProcessFormView.put:
            continue  # Django's form views: PUT is POST
        methods.add(name.upper())
    return methods


def test_every_route_has_a_row():
    missing = [route for route in all_routes() if row_for(route) is None]
    assert missing == [], f"Routes with no row in the access matrix: {missing}"


def test_every_implemented_method_has_a_row():
    missing = []
    for route, pattern in all_routes().items():
        row = row_for(route)
        if row is None or route.startswith("admin/"):
            continue
        wanted = implemented_methods(pattern)
        wanted = {"GET", "POST"} if wanted is None else wanted
        if route.startswith("api/schema") or route.startswith("api/docs"):
            wanted = {"GET"}
        for method in sorted(wanted - set(row.expect)):
            missing.append(f"{method} {route}")
    assert missing == [], f"Methods with no row: {missing}"


def test_the_table_names_no_route_that_does_not_exist():
    assert sorted(set(TABLE) - set(all_routes())) == []


def _normalise(path: str) -> str:
    path = re.sub(r"<[^>]+>", "{}", path)
    return re.sub(r"\{[^}]*\}", "{}", path).strip("/")


def test_every_openapi_operation_has_a_row():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    table = {(_normalise(route), method) for route, row in TABLE.items() for method in row.expect}
    missing = []
    operations = 0
    for path, item in schema["paths"].items():
        for method in item:
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            operations += 1
            if (_normalise(path), method.upper()) not in table:
                missing.append(f"{method.upper()} {path}")
    assert operations > 0
    assert missing == [], f"OpenAPI operations with no row: {missing}"


# --- the world: Pat's objects --------------------------------------------------------------
@pytest.fixture
def world(personas):
    pat, sam = personas["pat"], personas["sam"]
    day = today()
    entry = DailyEntry.objects.create(
        patient=pat,
        date=day - timedelta(days=1),
        pain=5,
        fatigue=5,
        sleep_quality=5,
        cognition=5,
        mood=5,
        notes=MARK_NOTE,
    )
    DailyEntry.objects.create(
        patient=sam,
        date=day - timedelta(days=1),
        pain=2,
        fatigue=2,
        sleep_quality=5,
        cognition=2,
        mood=7,
        notes=SAM_NOTE,
    )
    response = QuestionnaireResponse.objects.create(
        patient=pat,
        instrument="phq9",
        answers={"items": [1] * 9},
        score={"total": 9, "band": "mild", "item9": 1},
    )
    course = MedicationCourse.objects.create(
        patient=pat,
        drug=None,
        name=MARK_MED,
        dose=10,
        unit="mg",
        frequency="daily",
        started_on=day - timedelta(days=30),
    )
    alert = Alert.objects.create(
        patient=pat,
        kind="mood_worsening",
        severity="moderate",
        title=MARK_ALERT,
        details={},
        dedupe_key="matrix",
    )
    link = CareLink.objects.get(patient=pat, clinician=personas["cleo"])
    totp = TOTPDevice.objects.create(user=personas["cleo"], name="matrix", confirmed=True)
    invitation = Invitation.objects.create(
        clinician=personas["cleo"], expires_at=timezone.now() + timedelta(days=7)
    )
    team = team_personas(pat, sam)
    return {
        **personas,
        **team,
        "entry": entry,
        "response": response,
        "course": course,
        "alert": alert,
        "link": link,
        "invitation": invitation,
        "totp": totp,
    }


def team_personas(pat, sam) -> dict:
    """Pat shares with "Pat's Clinic" (Tom, Tia, Ted, and Ron who was removed); Sam with
    another team (Otto). Tom and Tia have authenticators, like Cleo."""
    clinic = Team.objects.create(name="Pat's Clinic")
    other = Team.objects.create(name="Other Clinic")
    people = {
        "tom": (clinic, TeamRole.CLINICIAN, True),
        "tia": (clinic, TeamRole.TRIAGE, True),
        "ted": (clinic, TeamRole.TEAM_ADMIN, True),
        "ron": (clinic, TeamRole.CLINICIAN, False),
        "otto": (other, TeamRole.CLINICIAN, True),
    }
    found: dict = {}
    for name, (team, role, active) in people.items():
        user = make_clinician(f"{name}@example.com", f"{name.title()} Teammate")
        found[f"{name}_membership"] = TeamMembership.objects.create(
            team=team, user=user, role=role, active=active
        )
        found[name] = user
    for name in ("tom", "tia"):
        TOTPDevice.objects.create(user=found[name], name="matrix", confirmed=True)
    now = timezone.now()
    CareLink.objects.create(
        patient=pat, clinician=found["tom"], team=clinic, status="active", activated_at=now
    )
    CareLink.objects.create(
        patient=sam, clinician=found["otto"], team=other, status="active", activated_at=now
    )
    found["team"] = clinic
    found["team_invitation"] = TeamInvitation.objects.create(
        team=clinic,
        email="new@example.com",
        role=TeamRole.CLINICIAN,
        invited_by=found["ted"],
        expires_at=now + timedelta(days=7),
    )
    return found


def snapshot(world):
    pat = world["pat"]
    return (
        list(DailyEntry.objects.filter(patient=pat).order_by("pk").values()),
        list(QuestionnaireResponse.objects.filter(patient=pat).order_by("pk").values()),
        list(MedicationCourse.objects.filter(patient=pat).order_by("pk").values()),
        list(Alert.objects.filter(patient=pat).order_by("pk").values()),
        AlertEvent.objects.filter(alert__patient=pat).count(),
        list(CareLink.objects.filter(patient=pat).order_by("pk").values("pk", "status")),
    )


def _kwarg_values(world, route: str) -> dict:
    pat = world["pat"]
    if "entries/" in route:
        pk = world["entry"].pk
    elif "medications/" in route:
        pk = world["course"].pk
    elif "questionnaires/" in route:
        pk = world["response"].pk
    elif "alerts/" in route:
        pk = world["alert"].pk
    elif "otp_totp" in route:
        pk = world["totp"].pk
    else:
        pk = 1
    return {
        "pk": pk,
        "patient_id": pat.pk,
        "alert_id": world["alert"].pk,
        "response_id": world["response"].pk,
        "entry_id": world["entry"].pk,
        "link_id": world["link"].pk,
        "team_id": world["team"].pk,
        "invitation_id": world["team_invitation"].pk,
        "membership_id": world["tia_membership"].pk,
        "code": world["invitation"].code,
        "instrument": "phq9",
        "fmt": "pdf",
        "uidb64": urlsafe_base64_encode(force_bytes(pat.pk)),
        "token": "bad-token",  # an invalid reset or sign-up link: the public "link expired" page
        "object_id": str(world["totp"].pk if "otp_totp" in route else pat.pk),
        "id": pat.pk,
        "content_type_id": 1,
        "app_label": "accounts",
        "url": "",
    }


def fill(route: str, world) -> str:
    values = _kwarg_values(world, route)

    def converter(match):
        name = match.group(2)
        return str(values[name])

    path = re.sub(r"<(?:(\w+):)?(\w+)>", converter, route)
    # Regex routes (the admin's app index and catch-all): fill named groups, drop anchors.
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values.get(m.group(1), "")), path)
    path = path.replace("^", "").replace("$", "")
    return "/" + path


def _format(value, world):
    day = today()
    names = {
        "pat": world["pat"].pk,
        "sam": world["sam"].pk,
        "today": day.isoformat(),
        "yesterday2": (day - timedelta(days=2)).isoformat(),
        "alert": world["alert"].pk,
    }
    if isinstance(value, str):
        match = re.fullmatch(r"\{(\w+)\}", value)
        if match:
            return names[match.group(1)]
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _format(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_format(v, world) for v in value]
    return value


def client_for_persona(world, persona) -> Client:
    """A client signed in as the persona: one session row, written directly (force_login also
    runs the sign-in signals, which this table does not test and which dominate its run time)."""
    client = Client()
    if persona != "anon":
        user = world[persona]
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


class _Rollback(Exception):
    pass


def request_as(world, persona, method, route, row):
    url = fill(route, world) + _format(row.query, world)
    body = _format(row.body.get(method, {}), world)
    client = client_for_persona(world, persona)
    if route.startswith("api/"):
        return (
            getattr(client, method.lower())(
                url, data=json.dumps(body), content_type="application/json"
            )
            if method != "GET"
            else client.get(url)
        )
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, data=body)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def check_cell(world, persona, method, route, row) -> list[str]:
    problems = []
    cache.clear()  # password-reset rate-limit counters: every persona starts afresh
    before = snapshot(world)
    try:
        with transaction.atomic():
            audits_before = AuditEvent.objects.count()
            response = request_as(world, persona, method, route, row)
            after = snapshot(world)
            audits = AuditEvent.objects.count() - audits_before
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:  # a 500 in the test client raises the view's exception
        return [f"{method} {route} as {persona}: raised {type(error).__name__}: {error}"]
    where = f"{method} {route} as {persona}"
    if response.status_code >= 500:
        return [f"{where}: {response.status_code}"]
    expect = row.expect[method][persona]
    if not outcome_matches(expect, response):
        location = response.get("Location", "")
        problems.append(f"{where}: got {response.status_code} {location}, expected {expect}")
    body = _text(response)
    if persona not in row.sees:
        leaked = [m for m in PAT_MARKERS if m in body]
        if leaked:
            problems.append(f"{where}: LEAK of Pat's data {leaked}")
    if persona == "pat":
        leaked = [m for m in SAM_MARKERS if m in body]
        if leaked:
            problems.append(f"{where}: LEAK of Sam's data {leaked}")
    if persona not in row.writers and after != before:
        problems.append(f"{where}: CHANGED Pat's record")
    audited_read = row.audited and persona == "cleo" and method == "GET"
    if audited_read and response.status_code == 200 and audits != 1:
        problems.append(f"{where}: {audits} audit events, expected exactly 1")
    return problems


def cells():
    for route in sorted(all_routes()):
        row = row_for(route)
        if row is None:
            continue
        for method in row.expect:
            yield pytest.param(route, method, id=f"{method} /{route}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # password-reset rate-limit counters


@pytest.mark.parametrize(("route", "method"), list(cells()))
def test_access_matrix(world, route, method):
    row = row_for(route)
    problems = []
    for persona in PERSONAS:
        problems += check_cell(world, persona, method, route, row)
    assert problems == [], "\n".join(problems)


# --- mass assignment ------------------------------------------------------------------------
def _api(world, persona) -> Client:
    return client_for_persona(world, persona)


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/entries/", ENTRY_BODY, DailyEntry),
        ("/api/v1/questionnaires/", PHQ9_BODY, QuestionnaireResponse),
        ("/api/v1/medications/", MED_BODY, MedicationCourse),
    ],
    ids=["entries", "questionnaires", "medications"],
)
def test_a_body_naming_another_patient_writes_only_into_the_callers_record(world, url, body, model):
    pat, sam = world["pat"], world["sam"]
    payload = _format({**body, "patient": "{sam}", "patient_id": "{sam}"}, world)
    sams_before = list(model.objects.filter(patient=sam).values_list("pk", flat=True))
    pats_before = model.objects.filter(patient=pat).count()
    response = post_json(_api(world, "pat"), url, payload)
    # Either the foreign field is ignored (201, written into Pat's record) or refused (400).
    assert response.status_code in (201, 400), response.content[:300]
    assert list(model.objects.filter(patient=sam).values_list("pk", flat=True)) == sams_before
    created = 1 if response.status_code == 201 else 0
    assert model.objects.filter(patient=pat).count() == pats_before + created


@pytest.mark.parametrize(
    ("url_key", "body"),
    [
        ("entry", {"patient": "{sam}", "notes": "moved?"}),
        ("course", {"patient": "{sam}", "dose": "25"}),
    ],
)
def test_a_patch_cannot_move_an_object_to_another_patient(world, url_key, body):
    obj = world[url_key]
    url = f"/api/v1/{'entries' if url_key == 'entry' else 'medications'}/{obj.pk}/"
    response = _api(world, "pat").patch(
        url, data=json.dumps(_format(body, world)), content_type="application/json"
    )
    assert response.status_code in (200, 400)
    obj.refresh_from_db()
    assert obj.patient_id == world["pat"].pk


@pytest.mark.parametrize("persona", ["cleo", "uma", "ada"])
@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/entries/", ENTRY_BODY, DailyEntry),
        ("/api/v1/questionnaires/", PHQ9_BODY, QuestionnaireResponse),
        ("/api/v1/medications/", MED_BODY, MedicationCourse),
    ],
    ids=["entries", "questionnaires", "medications"],
)
def test_nobody_else_can_write_into_pats_record(world, persona, url, body, model):
    before = model.objects.filter(patient=world["pat"]).count()
    response = post_json(_api(world, persona), url, _format(body, world))
    assert response.status_code in (403, 404)
    assert model.objects.filter(patient=world["pat"]).count() == before
    assert not model.objects.filter(patient=world[persona]).exists()


def test_the_markers_are_visible_to_those_who_may_see_them(world):
    """Guards the leak check: the markers do show up where they are allowed to."""
    pat, cleo = world["pat"], world["cleo"]
    seen = {
        (cleo, f"/api/v1/entries/?patient={pat.pk}"): MARK_NOTE,
        (cleo, f"/api/v1/medications/?patient={pat.pk}"): MARK_MED,
        (cleo, f"/api/v1/alerts/?patient={pat.pk}"): MARK_ALERT,
        (cleo, "/clinician/"): "Pat Patient",
        (pat, "/patient/medications/"): MARK_MED,
        (pat, f"/api/v1/entries/{world['entry'].pk}/"): MARK_NOTE,
    }
    for (user, url), marker in seen.items():
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert marker in _text(response), url
