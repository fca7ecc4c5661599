"""Spanish (issue 15): the catalog is complete and compiled, every patient page renders in Spanish
with no English sentence of the catalog left, the language follows Accept-Language, the saved
preference and the language switch, and e-mails go out in the recipient's language."""

import ast
import gettext as gettext_module
import html as html_module
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.language import SESSION_KEY
from accounts.models import NotificationPreference, User
from alerts import outbox, reminders
from alerts.services import sync_alerts
from conftest import PASSWORD, make_patient
from journal.models import DailyEntry
from journal.tests.helpers import VALID_ENTRY
from tests.builders import course

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


# --- the catalog -------------------------------------------------------------------------------


def po_entries(path: Path = PO) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr {index: text}, flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
        }
        current: tuple = ()
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgctxt "):
                entry["msgctxt"] = ast.literal_eval(line[8:])
                current = ("msgctxt",)
            elif line.startswith("msgid_plural "):
                entry["msgid_plural"] = ast.literal_eval(line[13:])
                current = ("msgid_plural",)
            elif line.startswith("msgid "):
                entry["msgid"] = ast.literal_eval(line[6:])
                current = ("msgid",)
            elif line.startswith("msgstr["):
                index = int(line[7 : line.index("]")])
                entry["msgstr"][index] = ast.literal_eval(line[line.index("]") + 2 :])
                current = ("msgstr", index)
            elif line.startswith("msgstr "):
                entry["msgstr"][0] = ast.literal_eval(line[7:])
                current = ("msgstr", 0)
            elif line.startswith('"'):
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += ast.literal_eval(line)
                else:
                    entry[current[0]] += ast.literal_eval(line)
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def translated_entries() -> list[dict]:
    return [entry for entry in po_entries() if entry["msgid"]]


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_catalog_string_has_a_spanish_translation():
    entries = translated_entries()
    assert len(entries) > 400  # the patient pages, forms, e-mails and clinical texts
    problems = []
    for entry in entries:
        texts = list(entry["msgstr"].values())
        if "fuzzy" in entry["flags"] or not texts or not all(text.strip() for text in texts):
            problems.append(entry["msgid"])
            continue
        wanted = set(PLACEHOLDER.findall(entry["msgid"] + (entry["msgid_plural"] or "")))
        for text in texts:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry['msgid']}")
    assert problems == []


def test_the_header_is_not_fuzzy_and_says_spanish():
    (header,) = [entry for entry in po_entries() if entry["msgid"] == ""]
    assert "fuzzy" not in header["flags"]
    assert "Language: es\n" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_the_committed_mo_is_compiled_from_the_current_po():
    """Fails when django.po was edited without `make messages` (or `make compilemessages`)."""
    with MO.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}
    expected: dict = {}
    for entry in translated_entries():
        key = entry["msgid"]
        if entry["msgctxt"] is not None:  # GNU gettext keys a context as "context\x04msgid"
            key = f"{entry['msgctxt']}\x04{key}"
        if entry["msgid_plural"] is None:
            expected[key] = entry["msgstr"][0]
        else:
            for index, text in entry["msgstr"].items():
                expected[(key, index)] = text
    assert catalog == expected


# --- patient pages in Spanish: no English sentence of the catalog left --------------------------


def english_sentences() -> list[tuple[str, str]]:
    """(the catalog msgid, an English fragment of >= 3 words of it) for every translated msgid
    whose Spanish differs. Placeholders and HTML split a msgid into fragments."""
    found = []
    for entry in translated_entries():
        for english in filter(None, (entry["msgid"], entry["msgid_plural"])):
            if english in entry["msgstr"].values():
                continue
            text = html_module.unescape(re.sub(r"<[^>]+>", " ", english))
            for fragment in re.split(r"%\(\w+\)[sd]|\n", text):
                fragment = " ".join(fragment.split()).strip(" .,:;()—-")
                if len(fragment.split()) >= 3:
                    found.append((entry["msgid"], fragment))
    return found


def visible_text(page: str) -> str:
    """What a reader (or a screen reader) gets: text nodes and the text attributes."""
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    attributes = re.findall(r'\b(?:aria-label|title|placeholder|alt|data-template)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html_module.unescape(" ".join([text, *attributes])).split())


def english_left(page: str) -> list[str]:
    text = visible_text(page)
    return sorted({msgid for msgid, fragment in english_sentences() if fragment in text})


def spanish_patient(**profile) -> User:
    patient = make_patient("paz@example.com", "Paz Paciente", **profile)
    NotificationPreference.objects.create(user=patient, language="es")
    return patient


@pytest.fixture
def paz(db):
    return spanish_patient(dob=date(1980, 5, 17))


@pytest.fixture
def paz_client(paz, client_for):
    """Paz (preference es) signed in; her browser asks for English, which must not win."""
    client = client_for(paz)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


@pytest.fixture
def paz_with_data(paz, cleo_for_paz):
    """Data that makes each page show its fuller content (notices, findings, history)."""
    with time_machine.travel(NOW, tick=False):
        for offset in range(1, 4):
            DailyEntry.objects.create(
                patient=paz, date=TODAY - timedelta(days=offset), **VALID_ENTRY
            )
        course(paz, "sertraline", TODAY - timedelta(days=30))
        course(paz, "tramadol", TODAY - timedelta(days=5))
        sync_alerts(paz)
    return paz


@pytest.fixture
def cleo_for_paz(paz):
    from conftest import link, make_clinician

    clinician = make_clinician("cleo.paz@example.com", "Cleo Linked")
    link(paz, clinician)
    return clinician


PATIENT_PAGES = [
    "/patient/",
    "/patient/checkin/",
    "/patient/history/",
    "/patient/medications/",
    "/patient/questionnaires/phq9/",
    "/patient/questionnaires/fiqr/",
    "/patient/questionnaires/acr2016/",
    "/patient/sharing/",
    "/account/",
    "/patient/report/",
    "/patient/access-log/",
    "/account/delete/",
    "/account/export/",
]


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_each_patient_page_in_spanish_has_no_english_sentence(paz_with_data, paz_client, url):
    with time_machine.travel(NOW, tick=False):
        response = paz_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert english_left(page) == []


def test_the_crisis_page_after_a_self_harm_check_in_is_in_spanish(paz_with_data, paz_client):
    data = {"date": TODAY.isoformat(), **{k: str(v) for k, v in VALID_ENTRY.items()}}
    data["self_harm_thoughts"] = "on"
    with time_machine.travel(NOW, tick=False):
        response = paz_client.post("/patient/checkin/", data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "data-crisis" in page
        assert english_left(page) == []
        text = visible_text(page)
        assert "988" in text and 'href="tel:988"' in page
        assert "oprima 2" in text
        assert "Llame o envíe un mensaje de texto al 988" in text
        assert "838255" in text
        # The home page's notices (the self-harm alert, the interaction) in Spanish too.
        sync_alerts(paz_with_data)
        home = paz_client.get("/patient/").content.decode()
    assert "Mensajes sobre su atención" in home
    assert english_left(home) == []


def test_form_errors_are_in_spanish(paz, paz_client):
    with time_machine.travel(NOW, tick=False):
        checkin = paz_client.post("/patient/checkin/", {"date": TODAY.isoformat()})
        medicine = paz_client.post(
            "/patient/medications/",
            {
                "action": "add",
                "drug": "sertraline",
                "dose": "-1",
                "unit": "mg",
                "frequency": "daily",
                "started_on": TODAY.isoformat(),
            },
        )
    assert checkin.status_code == 400
    assert "Elija un número del 0 al 10." in checkin.content.decode()
    assert english_left(checkin.content.decode()) == []
    if medicine.status_code == 400:
        assert english_left(medicine.content.decode()) == []


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/signup/patient/"]
)
def test_anonymous_pages_follow_accept_language(client, url):
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="es">' in spanish
    assert english_left(spanish) == []
    assert any(words in spanish for words in ("Iniciar sesión", "Crear una cuenta", "Cree su"))
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="en">' in english
    assert "988" in english and "Llame" not in english


def test_a_signed_in_patients_saved_language_wins_over_the_browser(pat, paz, client_for):
    english_browser = client_for(paz)
    page = english_browser.get("/patient/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page and "Hola" in page
    # Pat never chose: English (the default), whatever the browser says.
    spanish_browser = client_for(pat)
    page = spanish_browser.get("/patient/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in page and "Hello" in page


def test_the_saved_language_is_read_from_the_session_not_the_database(paz, paz_client):
    paz_client.get("/patient/sharing/")  # the session holds the language from sign-in
    assert paz_client.session[SESSION_KEY] == "es"
    NotificationPreference.objects.filter(user=paz).update(language="en")  # not read again
    page = paz_client.get("/patient/sharing/").content.decode()
    assert '<html lang="es">' in page


def test_the_language_switch_is_on_every_page_and_keyboard_usable(client, paz_client):
    for page in (client.get("/accounts/login/"), paz_client.get("/patient/")):
        html = page.content.decode()
        assert 'action="/i18n/setlang/"' in html
        assert '<label for="language-switch">' in html
        assert '<select id="language-switch" name="language">' in html
        assert '<option value="es" lang="es"' in html and '<option value="en" lang="en"' in html


def test_the_language_switch_sets_the_cookie_and_saves_a_patients_preference(pat, client_for):
    client = client_for(pat)
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/patient/history/"})
    assert response.status_code == 302
    assert response["Location"] == "/patient/history/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert NotificationPreference.objects.get(user=pat).language == "es"
    page = client.get("/patient/history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page and "Su historial" in page
    # And back.
    client.post("/i18n/setlang/", {"language": "en", "next": "/patient/"})
    assert NotificationPreference.objects.get(user=pat).language == "en"
    assert '<html lang="en">' in client.get("/patient/").content.decode()


def test_the_language_switch_for_a_visitor_only_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get("/accounts/login/").content.decode()
    assert NotificationPreference.objects.count() == 0


def test_an_unknown_language_changes_nothing(pat, client_for):
    client = client_for(pat)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/patient/"})
    assert not NotificationPreference.objects.filter(user=pat, language="fr").exists()
    assert '<html lang="en">' in client.get("/patient/").content.decode()


def test_the_account_page_language_applies_at_once(pat, client_for):
    client = client_for(pat)
    response = client.post("/account/", {"section": "language", "language": "es"}, follow=True)
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "Su idioma se guardó." in page
    assert NotificationPreference.objects.get(user=pat).language == "es"


def test_signing_in_uses_the_saved_language(paz, client):
    client.post("/accounts/login/", {"username": paz.email, "password": PASSWORD})
    assert client.session[SESSION_KEY] == "es"
    assert '<html lang="es">' in client.get("/patient/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- e-mails in the recipient's language ----------------------------------------------------------


def test_a_spanish_speaking_patient_gets_the_reminder_in_spanish(mailoutbox):
    patient = make_patient("rita@example.com", "Rita Recordatorio")
    NotificationPreference.objects.create(
        user=patient, checkin_reminder=True, checkin_reminder_time=time(8), language="es"
    )
    english = make_patient("eli@example.com", "Eli English")
    NotificationPreference.objects.create(
        user=english, checkin_reminder=True, checkin_reminder_time=time(8)
    )
    now = datetime(2026, 6, 15, 12, 5, tzinfo=UTC)  # 08:05 in New York
    assert reminders.reminders_queue(now=now) == 2
    with time_machine.travel(now, tick=False):
        assert outbox.send_pending_notifications().sent == 2
    by_recipient = {message.to[0]: message for message in mailoutbox}
    spanish = by_recipient["rita@example.com"]
    assert spanish.subject == "Es hora de su registro diario"
    assert "Es hora de su registro diario en el Portal de cuidados" in spanish.body
    assert "Para dejar de recibirlos, abra este enlace" in spanish.body
    assert "/account/unsubscribe/" in spanish.body
    assert by_recipient["eli@example.com"].subject == "Time for your check-in"


def test_signing_up_in_spanish_saves_the_language_and_confirms_in_spanish(client, mailoutbox):
    response = client.post(
        "/accounts/signup/patient/",
        {
            "full_name": "Nora Nueva",
            "email": "nora@example.com",
            "password": "una-contraseña-larga-42",
            "date_of_birth": "1985-02-03",
            "timezone": "America/Chicago",
            "consent": "on",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    nora = User.objects.get(email="nora@example.com")
    assert NotificationPreference.objects.get(user=nora).language == "es"
    (message,) = mailoutbox
    assert message.subject == "Confirme su correo electrónico para el Portal de cuidados"
    assert "Para confirmar la dirección" in message.body


def test_the_email_change_link_is_in_the_language_of_the_page(paz, paz_client, mailoutbox):
    paz_client.post("/account/", {"section": "email", "email": "paz.nueva@example.com"})
    (message,) = [m for m in mail.outbox if m.to == ["paz.nueva@example.com"]]
    assert message.subject == "Confirme su nuevo correo electrónico"


# --- clinical words for the patient ---------------------------------------------------------------


def test_interaction_explanations_and_alert_messages_for_a_spanish_patient(
    paz_with_data, paz_client
):
    from alerts.models import Alert

    with time_machine.travel(NOW, tick=False):
        medicines = visible_text(paz_client.get("/patient/medications/").content.decode())
        api = paz_client.get("/api/v1/alerts/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert "síndrome serotoninérgico" in medicines or "aumentan la serotonina" in medicines
    assert "Hable con su profesional de salud antes de tomarlos juntos." in medicines
    combination = Alert.objects.filter(patient=paz_with_data, kind="serotonergic_combination")
    if combination.exists():
        messages = [row["message"] for row in api["results"]]
        assert any("posible interacción entre" in message for message in messages)
        # Stored in English for the record; only the patient's view is translated.
        assert "possible interaction" in combination.get().details["patient_message"]


def test_the_scan_finds_english_on_an_english_page(paz_with_data, client_for, pat):
    """The check above is not vacuous: the same pages in English are full of catalog sentences."""
    with time_machine.travel(NOW, tick=False):
        for url in PATIENT_PAGES:
            assert len(english_left(client_for(pat).get(url).content.decode())) >= 3, url


def test_english_pages_are_unchanged(pat, client_for):
    page = client_for(pat).get("/patient/").content.decode()
    assert '<html lang="en">' in page
    assert "You have not checked in yet today." in page
    assert "in a crisis call or text" in page


def test_dates_read_naturally_in_spanish(paz_with_data, paz_client, pat, client_for):
    with time_machine.travel(NOW, tick=False):
        spanish = visible_text(paz_client.get("/patient/").content.decode())
        english = visible_text(client_for(pat).get("/patient/").content.decode())
    assert "Hoy, martes 10 de marzo" in spanish
    assert "Today, Tuesday 10 March" in english
