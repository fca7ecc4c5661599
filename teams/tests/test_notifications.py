"""Alert e-mails for a patient shared with a team: each clinician member once, nobody else."""

import pytest
from django.core import mail

from alerts.models import Alert, Notification, NotificationKind
from alerts.outbox import add_notifications, clinicians_to_notify, send_pending_notifications
from conftest import link, make_clinician
from teams.models import Team, TeamMembership, TeamRole
from teams.tests.test_access import _member, _share


@pytest.fixture
def clinic(db):
    return Team.objects.create(name="Demo Pain Clinic")


@pytest.fixture
def staff(clinic, pat):
    people = {
        "tess": _member(clinic, "tess@example.org", TeamRole.CLINICIAN),
        "carl": _member(clinic, "carl@example.org", TeamRole.CLINICIAN),
        "nina": _member(clinic, "nina@example.org", TeamRole.TRIAGE),
        "mona": _member(clinic, "mona@example.org", TeamRole.TEAM_ADMIN),
        "gone": _member(clinic, "gone@example.org", TeamRole.CLINICIAN, active=False),
        "newbie": _member(clinic, "newbie@example.org", TeamRole.CLINICIAN, verified=False),
    }
    _share(pat, clinic, people["tess"])
    # Carl also has a link of his own: still one e-mail.
    link(pat, people["carl"])
    return people


def _alert(patient):
    return Alert.objects.create(
        patient=patient,
        kind="mood_worsening",
        severity="high",
        title="Mood worsening",
        details={},
        dedupe_key="mood_worsening",
    )


def test_it_lists_each_clinician_member_once_and_no_one_else(staff, pat):
    recipients = clinicians_to_notify([pat.pk])[pat.pk]

    assert sorted(recipients) == sorted([staff["tess"].pk, staff["carl"].pk])


def test_it_writes_and_sends_one_email_per_clinician(staff, pat):
    alert = _alert(pat)

    add_notifications([(alert, NotificationKind.INITIAL)])
    add_notifications([(alert, NotificationKind.INITIAL)])  # a redelivered cause
    send_pending_notifications()

    assert Notification.objects.filter(alert=alert).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["carl@example.org", "tess@example.org"]


def test_a_member_removed_before_sending_is_not_emailed(staff, pat):
    alert = _alert(pat)
    add_notifications([(alert, NotificationKind.INITIAL)])

    TeamMembership.objects.filter(user=staff["tess"]).update(active=False)
    send_pending_notifications()

    assert [m.to[0] for m in mail.outbox] == ["carl@example.org"]
    assert Notification.objects.get(recipient=staff["tess"]).status == "cancelled"


def test_a_patient_with_no_team_and_no_link_notifies_nobody(db, sam):
    make_clinician("loner@example.org", "Loner")

    assert clinicians_to_notify([sam.pk]) == {}
