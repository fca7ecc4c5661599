"""An alert card's HTML, written in Python.

The alert queue shows 25 cards a page, the record page every open alert, and an htmx action
answers with one card. Rendered from a template (an include per card, two forms, a CSRF token
each, 40 variables) the cards took about a third of the queue's time; here each card is one
join of escaped strings. The markup is byte for byte what templates/clinic/_alert_card.html
rendered before (clinic/tests/test_card_html.py keeps that template and compares).

Every value that comes from data goes through `escape` (core.html.escape_text, what
conditional_escape renders: safe strings, such as the CSRF input, pass as they are); the rest
is fixed markup, translations included (as `{% translate "..." %}` of a literal, which the
template engine treats as safe).
"""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from clinic.cards import AlertCard, EventLine
from core.html import escape_text as escape


def csrf_input(token: object) -> str:
    """What `{% csrf_token %}` renders for the context's `csrf_token`."""
    if not token:
        return ""
    if token == "NOTPROVIDED":  # noqa: S105 - the marker Django uses, not a secret
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'


def _event(event: EventLine) -> str:
    if event.sentence:
        what = f'<span class="event-kind">{escape(event.sentence)}</span>'
    else:
        what = f'<span class="event-kind">{escape(event.kind)}</span>'
        if event.actor:
            what += f" · {escape(event.actor)}"
    if event.note:
        what += f': <span class="event-note">{escape(event.note)}</span>'
    return f'\n  <li><span class="muted small">{escape(event.when)}</span> {what}</li>\n'


def _hidden_fields(next_url: str, bulk: bool) -> str:
    bulk_field = '<input type="hidden" name="bulk" value="1">' if bulk else ""
    return f'<input type="hidden" name="next" value="{escape(next_url)}">{bulk_field}'


def _owner(card: AlertCard, key: str, title: str, csrf: str, hidden: str) -> str:
    if card.assigned_to:
        if card.assigned_to_viewer:
            owner = _("Taken by you")
        else:
            owner = _("Taken by %(name)s") % {"name": escape(card.assigned_to)}
    else:
        owner = _("Unassigned")
    html = f'    <p class="small" id="owner-{key}">{owner}</p>\n    '
    if card.status == "resolved":
        return html + "\n"
    url = escape(card.unassign_url if card.assigned_to_viewer else card.assign_url)
    label = _("Hand back") if card.assigned_to_viewer else _("I'll take it")
    button = (
        f'<button class="button" type="submit" aria-describedby="owner-{key}">{label}'
        f'<span class="visually-hidden"> “{title}”</span></button>'
    )
    if card.assigned_to_viewer:
        button += "\n      "
    return (
        f'{html}\n    <form method="post" action="{url}" hx-post="{url}" '
        f'hx-target="#alert-{key}" hx-swap="outerHTML">\n      {csrf}\n      {hidden}\n      '
        f"{button}\n    </form>\n    \n"
    )


def _actions(card: AlertCard, key: str, csrf: str, hidden: str) -> str:
    if card.status == "resolved":
        by = f" by {escape(card.resolved_by)}" if card.resolved_by else ""
        return f'  \n  <p class="resolved-note">Resolved{by} {escape(card.resolved_at)}.</p>\n  \n'
    note_url = escape(card.note_url)
    acknowledge_url = escape(card.acknowledge_url)
    resolve_url = escape(card.resolve_url)
    acknowledge = (
        f'<button class="button primary" type="submit" formaction="{acknowledge_url}" '
        f'hx-post="{acknowledge_url}">Acknowledge</button>'
        if card.status == "open"
        else ""
    )
    return (
        f'  \n  <form class="alert-actions" method="post" action="{note_url}" '
        f'hx-target="#alert-{key}" hx-swap="outerHTML">\n    {csrf}\n    {hidden}\n'
        f'    <div class="field"><label for="note-{key}">Note</label>\n'
        f'      <textarea id="note-{key}" name="note" rows="2" maxlength="5000" '
        'placeholder="What did you do or decide?"></textarea></div>\n'
        '    <div class="button-row">\n'
        f"      {acknowledge}\n"
        f'      <button class="button" type="submit" hx-post="{note_url}">Add note</button>\n'
        f'      <button class="button danger" type="submit" formaction="{resolve_url}" '
        f'hx-post="{resolve_url}">Resolve with note</button>\n'
        "    </div>\n  </form>\n  \n"
    )


def alert_card_html(
    card: AlertCard, *, next_url: str, csrf: str, bulk: bool = False, error: str = ""
) -> SafeString:
    """One card. `next_url`: where its forms return to; `csrf`: csrf_input(the page's token),
    computed once a page; `bulk`: the queue's bulk-acknowledge checkbox and field; `error`: a
    refused action's message (htmx answers)."""
    key = escape(card.key)
    title = escape(card.title)
    severity = escape(card.severity)
    status = escape(card.status)
    pick = ""
    if bulk and card.status == "open":
        pick = (
            f'<span class="bulk-pick"><input type="checkbox" id="pick-{key}" name="alert" '
            f'value="{key}" form="bulk-acknowledge"><label for="pick-{key}">Select'
            f'<span class="visually-hidden"> “{title}” of {escape(card.patient_name)}</span>'
            "</label></span>"
        )
    acknowledged = (
        f" · acknowledged by {escape(card.acknowledged_by)}" if card.acknowledged_by else ""
    )
    hidden = _hidden_fields(next_url, bulk)
    explanation = (
        f'<p class="alert-expl">{escape(card.explanation)}</p>' if card.explanation else ""
    )
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return mark_safe(  # noqa: S308 - every value above went through escape()
        "\n"
        f'<article class="alert-card card sev-border-{severity}" id="alert-{key}" '
        f'aria-labelledby="alert-{key}-title">\n'
        '  <header class="alert-head">\n'
        f"    {pick}\n"
        f'    <span class="sev sev-{severity}">{escape(card.severity_label)}</span>\n'
        f'    <h3 id="alert-{key}-title" class="alert-title">{title}</h3>\n'
        f'    <span class="status status-{status}">{escape(card.status_label)}</span>\n'
        "  </header>\n"
        f'  <p class="muted small"><a href="{escape(card.patient_url)}">'
        f"{escape(card.patient_name)}</a> · raised {escape(card.raised)} "
        f"({escape(card.raised_since)} ago){acknowledged}</p>\n"
        '  <div class="alert-owner">\n'
        f"{_owner(card, key, title, csrf, hidden)}"
        "  </div>\n"
        f"  {explanation}\n"
        '  <ol class="events">\n'
        f"{''.join(_event(event) for event in card.events)}"
        "\n</ol>\n"
        f"  {error_html}\n"
        f"{_actions(card, key, csrf, hidden)}"
        "</article>\n"
    )
