"""The severity ranks and the per-event kinds: one home each, one table of tests each."""

import pytest

from alerts.models import SEVERITY_BY_RANK, SEVERITY_RANK, AlertKind, Severity
from alerts.rules.facts import ALERT_SEVERITY_ORDER, PER_EVENT_KINDS, severity_rank


@pytest.mark.parametrize(
    ("severity", "rank"), [("low", 1), ("moderate", 2), ("high", 3), ("critical", 4)]
)
def test_severity_ranks_follow_the_rules_order_and_invert(severity, rank):
    # 0 is left for "no alert" (the dashboard's COALESCE of the open-alert rank).
    assert SEVERITY_RANK[severity] == rank
    assert SEVERITY_BY_RANK[rank] == severity
    assert severity_rank(severity) == rank - 1  # the rules' own order, 0-based


def test_every_severity_has_a_rank():
    assert set(SEVERITY_RANK) == set(Severity.values) == set(ALERT_SEVERITY_ORDER)
    assert 0 not in SEVERITY_BY_RANK


@pytest.mark.parametrize(
    ("kind", "per_event"),
    [
        (AlertKind.SUICIDAL_IDEATION, True),
        (AlertKind.SEROTONIN_TOXICITY_SYMPTOMS, True),
        (AlertKind.SEROTONERGIC_COMBINATION, False),
        (AlertKind.MOOD_WORSENING, False),
    ],
)
def test_per_event_kinds(kind, per_event):
    """One alert per triggering entry or response, and shown to the patient as urgent."""
    assert (kind in PER_EVENT_KINDS) is per_event


def test_per_event_kinds_are_alert_kinds():
    assert set(AlertKind.values) >= PER_EVENT_KINDS
