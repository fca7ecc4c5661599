"""How a candidate's evidence meets an existing alert. Pure: no Django imports.

Evidence is a list of hits (`AlertCandidate.evidence["hits"]`); each hit names its rule and the
items it rests on ("entry:12", "phq9:3", "course:sertraline:2026-01-05"). Two hits of the same
rule sharing an item are the same episode. From that follow the three decisions the sync makes
(docs/clinical-rules.md#mood-and-safety-alerts):

- an open alert with the candidate's key gains only the new hits (an `evidence` event), and is
  escalated (re-opened, clinicians told again) only when the candidate is more severe;
- a resolved alert is raised again only on new evidence or a higher severity, never for
  per-event kinds (one alert per triggering entry or response, whatever happens later); a
  combination alert only on a re-exposure after its resolution or a higher severity
  (docs/clinical-rules.md#combination-alerts).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from alerts.rules.facts import COMBINATION_KINDS, PER_EVENT_KINDS, AlertCandidate, severity_rank
from alerts.rules.serotonergic import courses_seen, reexposed_courses

Hit = dict[str, Any]

# Explanations written before version 2 began with a rule id ("M2: PHQ-9 total rose ...").
# Clinicians never see rule ids (docs/clinical-rules.md#mood-and-safety-alerts): a stored hit
# that is merged again loses the prefix. Migration 0005 rewrote the stored ones once.
_RULE_ID_PREFIX = re.compile(r"(?:(?<=^)|(?<=[.)] ))(?:M[1-5]|S1): ")


def without_rule_ids(text: str) -> str:
    """`text` without the "M2: " style prefixes of version 1 explanations."""
    return _RULE_ID_PREFIX.sub("", text)


def hits_of(evidence: dict[str, Any]) -> list[Hit]:
    """The hits of a candidate's evidence or of an alert's stored `details["evidence"]`."""
    return list(evidence.get("hits", ()))


def hit_is_new(hit: Hit, seen: Iterable[Hit]) -> bool:
    """A hit is old news when a seen hit of the same rule shares an item (same episode).

    Two hits of one rule that both list no items are the same episode too.
    """
    items = set(hit.get("items", ()))
    for other in seen:
        if other.get("rule") != hit.get("rule"):
            continue
        other_items = set(other.get("items", ()))
        if items & other_items or (not items and not other_items):
            return False
    return True


def details_for(candidate: AlertCandidate, hits: list[Hit]) -> dict[str, Any]:
    """The stored details: the hits gathered so far and their rules and explanations."""
    rules = list(dict.fromkeys(hit.get("rule", candidate.rule) for hit in hits))
    explained = all("explanation" in hit for hit in hits) and hits
    return {
        "rule": "+".join(rules) if rules else candidate.rule,
        "rule_version": candidate.rule_version,
        "explanation": (
            " ".join(without_rule_ids(hit["explanation"]) for hit in hits)
            if explained
            else candidate.explanation
        ),
        "patient_message": candidate.patient_message,
        "evidence": {**candidate.evidence, "hits": hits},
    }


@dataclass(frozen=True, slots=True)
class Merge:
    """What a candidate does to the open alert with its dedupe key."""

    escalate: bool = False  # more severe: take the candidate's severity and title, notify again
    details: dict[str, Any] | None = None  # the alert's new details; None: leave it unchanged
    new_hits: tuple[Hit, ...] = ()  # hits no stored hit covered (the `evidence` event's data)


def merge_into_open(candidate: AlertCandidate, *, severity: str, details: dict[str, Any]) -> Merge:
    """Merge `candidate` into an open alert of `severity` whose stored details are `details`.

    Escalation replaces the evidence with the candidate's, keeping the stored hits the
    candidate does not cover (so an escalated mood alert still shows the earlier episode).
    Otherwise only new hits are appended; a candidate with nothing new changes nothing, however
    often the sync runs.
    """
    old_hits = hits_of(details.get("evidence", {}))
    cand_hits = hits_of(candidate.evidence)
    new_hits = tuple(hit for hit in cand_hits if hit_is_new(hit, old_hits))
    if candidate.kind in COMBINATION_KINDS:
        # A combination alert grows when a drug joins; a smaller set (a drug no longer counts)
        # is not news, and must not rename an alert whose severity came from the larger set.
        seen = {drug for hit in old_hits for drug in hit.get("drugs", ())}
        new_hits = tuple(hit for hit in new_hits if not set(hit.get("drugs", ())) <= seen)
    if severity_rank(candidate.severity) > severity_rank(severity):
        kept = [hit for hit in old_hits if all(hit_is_new(hit, [c]) for c in cand_hits)]
        return Merge(
            escalate=True, details=details_for(candidate, cand_hits + kept), new_hits=new_hits
        )
    if new_hits:
        return Merge(details=details_for(candidate, old_hits + list(new_hits)), new_hits=new_hits)
    return Merge()


@dataclass(frozen=True, slots=True)
class Resolved:
    """What the sync needs of an earlier, resolved alert with the candidate's key."""

    severity: str
    details: dict[str, Any]
    # When it was resolved, and that moment's date in the patient's time zone (combination
    # alerts: re-exposure). None: unknown.
    resolved_at: datetime | None = None
    resolved_on: date | None = None


def is_new_episode(candidate: AlertCandidate, resolved: list[Resolved]) -> bool:
    """Raise again after resolution only on new evidence or a higher severity.

    `resolved` is in creation order (the last is the latest); it must not be empty. For
    combination kinds, new evidence means a re-exposure after the latest resolution (a course
    of a drug of the set started, restarted or raised since), not a different set: a set that
    shrinks, or an unchanged regimen, raises nothing.
    """
    if candidate.kind in PER_EVENT_KINDS:
        return False
    if candidate.kind in COMBINATION_KINDS:
        return _is_combination_reexposure(candidate, resolved)
    if severity_rank(candidate.severity) > severity_rank(resolved[-1].severity):
        return True
    seen = [hit for alert in resolved for hit in hits_of(alert.details.get("evidence", {}))]
    return any(hit_is_new(hit, seen) for hit in hits_of(candidate.evidence))


_LONG_AGO = datetime.min.replace(tzinfo=UTC)


def _is_combination_reexposure(candidate: AlertCandidate, resolved: list[Resolved]) -> bool:
    latest = max(resolved, key=lambda alert: alert.resolved_at or _LONG_AGO)
    if severity_rank(candidate.severity) > severity_rank(latest.severity):
        return True
    if latest.resolved_at is None or latest.resolved_on is None:
        return False
    seen = courses_seen(alert.details for alert in resolved)
    return bool(
        reexposed_courses(
            candidate.courses,
            resolved_at=latest.resolved_at,
            resolved_on=latest.resolved_on,
            seen=seen,
        )
    )
