"""The check-in page says plainly who can read the notes (the clinicians who can read the
record: active links to verified, active clinicians)."""

import re

import pytest

from accounts.models import CareLinkStatus
from accounts.selectors import clinicians_reading_patient
from conftest import link, make_clinician
from journal.views import notes_sharing_sentence


def _sentence(client) -> str:
    body = client.get("/patient/checkin/").content.decode()
    match = re.search(r'<p class="help" id="notes-sharing">([^<]*)</p>', body)
    assert match, "no sharing sentence under the notes field"
    assert 'aria-describedby="notes-sharing"' in body
    return match.group(1)


def test_with_no_clinician_the_notes_are_shared_with_nobody(client_for, pat):
    sentence = _sentence(client_for(pat))
    assert sentence.startswith("Your notes are not shared with anyone")


def test_with_two_clinicians_both_are_named_and_nobody_else(client_for, pat, sam):
    link(pat, make_clinician("zed@example.com", "Dr Zed Young"))
    link(pat, make_clinician("amy@example.com", "Dr Amy Old"))
    # None of these can read Pat's notes: not named.
    link(pat, make_clinician("rex@example.com", "Dr Revoked"), status=CareLinkStatus.REVOKED)
    link(pat, make_clinician("pen@example.com", "Dr Pending"), status=CareLinkStatus.PENDING)
    link(pat, make_clinician("val@example.com", "Dr Unverified", verified=False))
    gone = make_clinician("gone@example.com", "Dr Deactivated")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    link(pat, gone)
    link(sam, make_clinician("sams@example.com", "Dr Sams Own"))

    sentence = _sentence(client_for(pat))

    assert sentence == (
        "Your notes are shared with the clinicians you have linked: Dr Amy Old and "
        "Dr Zed Young. Not with anyone else."
    )


def test_with_one_clinician(client_for, pat, cleo):
    assert _sentence(client_for(pat)) == (
        "Your notes are shared with the clinician you have linked: Cleo Linked. "
        "Not with anyone else."
    )


@pytest.mark.parametrize(
    ("names", "listed"),
    [(["A", "B", "C"], "A, B and C"), (["A & <B>"], "A & <B>")],
)
def test_sentence_lists_names(names, listed):
    assert f"linked: {listed}." in notes_sharing_sentence(names)


def test_names_are_escaped_on_the_page(client_for, pat):
    link(pat, make_clinician("x@example.com", "Dr <b>Bold</b>"))
    assert "Dr &lt;b&gt;Bold&lt;/b&gt;" in _sentence(client_for(pat))


def test_the_selector_is_one_query(pat, cleo, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert clinicians_reading_patient(pat) == ["Cleo Linked"]
