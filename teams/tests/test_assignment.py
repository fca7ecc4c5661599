"""Alert ownership in a team: "I'll take it", and escalation to the assignee first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertEvent, Notification
from alerts.services import alerts_remind_unacknowledged
from alerts.services.workflow import alert_assign, alert_unassign
from teams.models import Team, TeamRole
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
    }
    _share(pat, clinic, people["tess"])
    return people


@pytest.fixture
def critical(pat):
    long_ago = timezone.now() - timedelta(days=1)
    return Alert.objects.create(
        patient=pat,
        kind="suicidal_ideation",
        severity="critical",
        title="Self-harm thoughts reported",
        details={},
        dedupe_key="suicidal_ideation:entry:1",
        created_at=long_ago,
        last_notified_at=long_ago,
        notify_round=1,
    )


def _round_recipients(alert) -> dict[int, set[str]]:
    rounds: dict[int, set[str]] = {}
    for number, email in Notification.objects.filter(alert=alert).values_list(
        "notify_round", "recipient__email"
    ):
        rounds.setdefault(number, set()).add(email)
    return rounds


def test_reminders_go_to_the_assignee_first_then_to_every_clinician(staff, critical):
    alert_assign(alert=critical, actor=staff["carl"])

    alerts_remind_unacknowledged(now=timezone.now())
    alerts_remind_unacknowledged(now=timezone.now() + timedelta(days=1))

    assert _round_recipients(critical) == {
        2: {"carl@example.org"},
        3: {"carl@example.org", "tess@example.org"},
    }


def test_an_unassigned_alert_reminds_every_clinician(staff, critical):
    alerts_remind_unacknowledged(now=timezone.now())

    assert _round_recipients(critical) == {2: {"carl@example.org", "tess@example.org"}}


def test_a_triage_assignee_is_told_first_too(staff, critical):
    alert_assign(alert=critical, actor=staff["nina"])

    alerts_remind_unacknowledged(now=timezone.now())

    assert _round_recipients(critical) == {2: {"nina@example.org"}}


def test_an_assignee_who_lost_access_is_skipped(staff, critical):
    from teams.models import TeamMembership

    alert_assign(alert=critical, actor=staff["carl"])
    TeamMembership.objects.filter(user=staff["carl"]).update(active=False)

    alerts_remind_unacknowledged(now=timezone.now())

    assert _round_recipients(critical) == {2: {"tess@example.org"}}


def test_taking_over_and_handing_back_are_on_the_timeline(staff, critical):
    alert_assign(alert=critical, actor=staff["carl"])
    alert_assign(alert=critical, actor=staff["carl"])  # twice: recorded once
    alert_assign(alert=critical, actor=staff["tess"])  # cover
    alert_unassign(alert=critical, actor=staff["carl"])  # not his any more: nothing
    alert_unassign(alert=critical, actor=staff["tess"])

    critical.refresh_from_db()
    assert critical.assigned_to is None
    kinds = list(
        AlertEvent.objects.filter(alert=critical).order_by("id").values_list("kind", "actor__email")
    )
    assert kinds == [
        ("assigned", "carl@example.org"),
        ("assigned", "tess@example.org"),
        ("unassigned", "tess@example.org"),
    ]
