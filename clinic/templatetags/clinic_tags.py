from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from alerts.rules import serotonergic
from clinic.card_html import alert_card_html, csrf_input
from clinic.cards import AlertCard
from journal.instruments import phq9
from medications.interactions import Assessment

register = template.Library()

# Changes smaller than this (on a 0-10 scale) are shown as steady.
STEADY_WITHIN = 0.5
# A literal: nothing in it comes from data, so it is safe as it stands.
NO_BASELINE: SafeString = mark_safe('<span class="delta muted">no baseline</span>')


@register.simple_tag
def change(value: float | None, higher_is_worse: bool) -> SafeString:
    """An arrow with the change against the 28-day baseline; red when it is worse."""
    if value is None:
        return NO_BASELINE
    value = round(value, 1) + 0.0  # never "-0.0"
    if abs(value) < STEADY_WITHIN:
        return format_html('<span class="delta steady">≈ {}</span>', f"{value:+.1f}")
    worse = (value > 0) == higher_is_worse
    arrow = "▲" if value > 0 else "▼"
    css = "worse" if worse else "better"
    label = "worse" if worse else "better"
    return format_html(
        '<span class="delta {}"><span aria-hidden="true">{}</span> {} '
        '<span class="visually-hidden">({})</span></span>',
        css,
        arrow,
        f"{value:+.1f}",
        label,
    )


@register.filter
def band_label(band: str | None) -> str:
    return phq9.BAND_LABELS.get(band or "", band or "")


# A minor finding on the record (docs/clinical-rules.md#pair-rules).
MINOR_FINDING_NOTE = "worth discussing; no alert is raised for it"


@register.inclusion_tag("clinic/_interaction_findings.html")
def interaction_findings(assessment: Assessment) -> dict[str, Any]:
    """The record's current interaction findings, minor ones included (worth discussing, no
    alert), and the medicines the engine could not check. No query: `assessment` is the
    record's interactions.Assessment."""
    findings = sorted(
        assessment.findings, key=lambda finding: -serotonergic.finding_rank(finding.severity)
    )
    return {
        "findings": [
            {
                "severity": finding.severity,
                "label": finding.severity.capitalize(),
                "hypertensive": finding.mechanism == "hypertensive",
                "note": MINOR_FINDING_NOTE if finding.severity == "minor" else "",
                "explanation": finding.explanation,
            }
            for finding in findings
        ],
        "counted": list(assessment.counted),
        "unchecked": serotonergic.unchecked_text(assessment.unknown),
    }


@register.simple_tag(takes_context=True)
def alert_card(context: template.Context, card: AlertCard) -> SafeString:
    """One alert card (clinic.card_html). From the context: `next` (where its forms return;
    else the request's path), `bulk` (the queue's bulk-acknowledge checkbox), `error` (a
    refused action's message) and the page's CSRF token."""
    request = context.get("request")
    return alert_card_html(
        card,
        next_url=context.get("next") or (request.path if request is not None else ""),
        csrf=csrf_input(context.get("csrf_token")),
        bulk=bool(context.get("bulk")),
        error=context.get("error") or "",
    )
