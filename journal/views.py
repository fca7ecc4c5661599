from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import account
from accounts.access import visible_row_or_404
from accounts.decorators import role_required
from accounts.models import Role, User
from accounts.selectors import clinicians_reading_patient
from core.forms import submit_form
from core.http import AuthenticatedHttpRequest
from core.timezones import patient_local_date
from journal import selectors, services
from journal.bodymap import FIGURES
from journal.crisis import crisis_resources
from journal.forms import QUESTIONNAIRE_FORMS, CheckinForm
from journal.instruments import fiqr, phq9
from journal.instruments.checkin import SCALES
from journal.instruments.codes import WPI_REGION_GROUPS
from journal.models import DailyEntry, Instrument, QuestionnaireResponse

patient_page = role_required(Role.PATIENT)


def _next_page(
    request: AuthenticatedHttpRequest[User],
    *,
    crisis: bool,
    urgent_care: bool,
    saved_message: str,
    tell_clinician: bool = False,
    clear_draft: bool = False,
) -> HttpResponse:
    """The page right after a save: crisis resources and urgent-care advice come first."""
    if crisis or urgent_care or tell_clinician:
        return render(
            request,
            "journal/crisis.html",
            {
                "crisis": crisis,
                "urgent_care": urgent_care,
                "tell_clinician": tell_clinician and not urgent_care,
                "resources": crisis_resources(),
                "saved_message": saved_message,
                "clear_draft": clear_draft,
            },
        )
    # "clear-draft" tells the browser the check-in is stored: its draft copy can go.
    messages.success(request, saved_message, extra_tags="clear-draft" if clear_draft else "")
    return redirect("journal:home")


@login_required
@patient_page
def home(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    summary = selectors.home_summary(request.user)
    # Shown through {% translate %}: "ACR 2016 criteria" is in the catalog (gettext_noop).
    labels = dict(Instrument.choices) | {Instrument.ACR2016: gettext_noop("ACR 2016 criteria")}
    due = [
        {
            "instrument": item.instrument,
            "label": labels[item.instrument],
            "due_now": item.is_due(summary.today),
            "due_on": item.due_on,
            "last_completed_on": item.last_completed_on,
        }
        for item in summary.due
    ]
    glance_rows = [
        {
            "label": label,
            "values": [getattr(day.entry, name) if day.entry else None for day in summary.glance],
        }
        for name, (label, _low, _high) in SCALES.items()
    ]
    # "Want a daily reminder?" from the first check-in on, until the patient answers it.
    reminder_offer = account.reminder_offer_open(request.user) and (
        summary.today_entry is not None or selectors.entries_for(request.user).exists()
    )
    return render(
        request,
        "journal/home.html",
        {
            "summary": summary,
            "due": due,
            "glance_rows": glance_rows,
            "reminder_offer": reminder_offer,
        },
    )


def _requested_date(request: AuthenticatedHttpRequest[User], today: date) -> date:
    raw = request.GET.get("date")
    if not raw:
        return today
    try:
        chosen = date.fromisoformat(raw)
    except ValueError:
        return today
    return min(chosen, today)


@login_required
@patient_page
def checkin(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    patient = request.user
    today = selectors.patient_today(patient)
    same_as_last: dict[str, object] | None = None
    prefilled_from: date | None = None
    if request.method == "POST":
        form = CheckinForm(request.POST)
        result = submit_form(
            form,
            lambda data: services.daily_entry_save(
                patient=patient,
                entry_date=data["date"] or today,
                values=form.entry_values(),
                replace=True,
            ),
        )
        if result is not None:
            if result.entry.date == today:
                saved_message = _("Thank you. Your check-in for today is saved.")
            else:
                saved_message = _("Thank you. Your check-in for %(day)s is saved.") % {
                    "day": date_format(result.entry.date, "j F")
                }
            return _next_page(
                request,
                crisis=result.crisis,
                urgent_care=result.urgent_care,
                tell_clinician=result.tell_clinician,
                saved_message=saved_message,
                clear_draft=True,
            )
        status = 400
        editing = False
        entry: DailyEntry | None = None
    else:
        day = _requested_date(request, today)
        entry = selectors.entry_on(patient, day)
        initial: dict[str, object] = {"date": day}
        if entry is not None:
            initial.update(
                {
                    **{scale: str(getattr(entry, scale)) for scale in SCALES},
                    "pain_regions": entry.pain_regions,
                    "serotonin_symptoms": entry.serotonin_symptoms,
                    "self_harm_thoughts": entry.self_harm_thoughts,
                    "notes": entry.notes,
                }
            )
        else:
            previous = selectors.entry_before(patient, day)
            if previous is not None and request.GET.get("prefill") == "last":
                initial.update(CheckinForm.same_as_last_initial(previous))
                prefilled_from = previous.date
            elif previous is not None:
                same_as_last = _same_as_last_link(day=day, previous=previous.date)
        form = CheckinForm(initial=initial)
        status = 200
        editing = entry is not None
    # The sentence under the notes field says who reads them; the field points at it.
    form.fields["notes"].widget.attrs["aria-describedby"] = "notes-sharing"
    return render(
        request,
        "journal/checkin.html",
        {
            "form": form,
            "today": today,
            "editing": editing,
            "entry_id": entry.pk if editing and entry is not None else None,
            "same_as_last": same_as_last,
            "prefilled_from": prefilled_from,
            # A draft kept in the browser is put back into a page as it comes from the server
            # (checkin-draft.js), never over posted answers or a "same as yesterday" prefill.
            "draft_restorable": not form.is_bound and prefilled_from is None,
            "optional_open": form.optional_sections_open(),
            "notes_sharing": notes_sharing_sentence(clinicians_reading_patient(patient)),
            **_body_map_context(form, "pain_regions"),
        },
        status=status,
    )


def _same_as_last_link(*, day: date, previous: date) -> dict[str, object]:
    """The "same as yesterday" button: a plain link, so it works without JavaScript."""
    if previous == day - timedelta(days=1):
        label = _("Same as yesterday")
    else:
        label = _("Same as last time (%(day)s)") % {"day": date_format(previous, _("j F"))}
    query = urlencode({"date": day.isoformat(), "prefill": "last"})
    return {"label": label, "href": f"{reverse('journal:checkin')}?{query}"}


def notes_sharing_sentence(names: list[str]) -> str:
    """Who can read the check-in notes, in plain words, from the clinicians' names."""
    if not names:
        return _(
            "Your notes are not shared with anyone: no clinician is linked to your record. "
            "You can share it from the Sharing page."
        )
    if len(names) == 1:
        return _(
            "Your notes are shared with the clinician you have linked: %(names)s. "
            "Not with anyone else."
        ) % {"names": names[0]}
    listed = _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
    return _(
        "Your notes are shared with the clinicians you have linked: %(names)s. "
        "Not with anyone else."
    ) % {"names": listed}


def _body_map_context(form: forms.Form, name: str) -> dict[str, Any]:
    """The SVG figures, the ticked codes and the fallback checkboxes grouped by region."""
    checked = {str(code) for code in (form[name].value() or [])}
    boxes = {box.data["value"]: box for box in form[name]}
    region_boxes = [
        (label, [boxes[code] for code, _ in sites]) for _, label, sites in WPI_REGION_GROUPS
    ]
    return {"body_map": FIGURES, "checked": checked, "region_boxes": region_boxes}


@login_required
@patient_page
def questionnaire(request: AuthenticatedHttpRequest[User], instrument: str) -> HttpResponse:
    form_class = QUESTIONNAIRE_FORMS.get(instrument)
    if form_class is None:
        raise Http404("No such questionnaire.")
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        result = submit_form(
            form,
            lambda _data: services.questionnaire_submit(
                patient=request.user, instrument=instrument, answers=form.answers()
            ),
        )
        if result is not None:
            if result.crisis:
                # Post/redirect/get: the crisis page is still the very next page, computed
                # synchronously, and a refresh cannot store the answers a second time.
                return redirect("journal:questionnaire_saved", response_id=result.response.pk)
            return _next_page(
                request,
                crisis=False,
                urgent_care=False,
                saved_message=_saved_questionnaire_message(result.response),
            )
        status = 400
    else:
        form = form_class()
    context = {"form": form, "instrument": instrument}
    if instrument == Instrument.ACR2016:
        context.update(_body_map_context(form, "regions"))
    return render(request, f"journal/questionnaire_{instrument}.html", context, status=status)


@login_required
@patient_page
@require_GET
def questionnaire_saved(request: AuthenticatedHttpRequest[User], response_id: int) -> HttpResponse:
    """The page after a questionnaire whose answers call for crisis resources (rule M1)."""
    response = visible_row_or_404(request, QuestionnaireResponse.objects.all(), response_id)
    return _next_page(
        request,
        crisis=services.response_needs_crisis(response),
        urgent_care=False,
        saved_message=_saved_questionnaire_message(response),
    )


def _saved_questionnaire_message(response: QuestionnaireResponse) -> str:
    score = response.score
    if response.instrument == Instrument.PHQ9:
        band = _(phq9.BAND_LABELS[score["band"]]).lower()
        return _("Thank you. Your PHQ-9 is saved: %(total)s of 27 (%(band)s).") % {
            "total": score["total"],
            "band": band,
        }
    if response.instrument == Instrument.FIQR:
        band = _(fiqr.BAND_LABELS[score["band"]]).lower()
        return _("Thank you. Your FIQR is saved: %(total)s of 100 (%(band)s).") % {
            "total": score["total"],
            "band": band,
        }
    return _(
        "Thank you. Your answers are saved: pain in %(wpi)s of 19 areas, "
        "symptom score %(sss)s of 12."
    ) % {"wpi": score["wpi"], "sss": score["sss"]}


@lru_cache(maxsize=8192)
def _day_text(day: date, fmt: str, language: str | None) -> str:
    """date_format(day, fmt) in `language` (the active one, part of the key): a year of history
    asks for some thousand of them, the same days again on every view."""
    return date_format(day, fmt)


def _history_row(row: dict[str, Any], *, delete_url: str) -> dict[str, Any]:
    """One daily check-in of the history page with its labels and cells already written: a
    year of rows rendered them with two {% blocktranslate %}, a {% url %}, three |date and a
    loop of cells each, which was most of the page's time. Same strings (the same message ids),
    the same localisation and the same escaping as the template gave."""
    day = date.fromisoformat(row["date"])
    language = get_language()
    cells = [*(row[name] for name in SCALES), row["regions"]]
    return {
        "id": row["id"],
        "date": day,
        "date_text": _day_text(day, _("D j M Y"), language),
        "cells": mark_safe(  # noqa: S308 - each value escaped here, as the template did
            "".join(f"<td>{conditional_escape(localize(value))}</td>" for value in cells)
        ),
        "delete_url": delete_url.replace("/0/", f"/{int(row['id'])}/"),
        "delete_label": _("Check-in of %(day)s") % {"day": _day_text(day, "D j M Y", language)},
        "delete_hidden": _("the check-in of %(day)s") % {"day": _day_text(day, "j M Y", language)},
    }


@login_required
@patient_page
def history(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    days = selectors.history_days(request.GET.get("days"))
    data = selectors.history(request.user, days=days)
    scales = [
        {"name": name, "label": _(label), "low": _(low), "high": _(high)}
        for name, (label, low, high) in SCALES.items()
    ]
    table_daily = [
        _history_row(row, delete_url=reverse("journal:checkin-delete", args=[0]))
        for row in reversed(data["daily"])
    ]
    return render(
        request,
        "journal/history.html",
        {
            "history": data,
            "measure_charts": selectors.history_charts(request.user, data),
            "days": days,
            "day_choices": selectors.HISTORY_DAYS_CHOICES,
            "scales": scales,
            "table_daily": table_daily,
        },
    )


@login_required
@patient_page
@require_http_methods(["GET", "POST"])
def checkin_delete(request: AuthenticatedHttpRequest[User], entry_id: int) -> HttpResponse:
    """Delete a check-in entered by mistake (a confirmation page, then POST)."""
    entry = visible_row_or_404(request, DailyEntry.objects.all(), entry_id)
    day = date_format(entry.date, "j F Y")
    if request.method == "POST":
        services.daily_entry_delete(entry=entry)
        messages.success(request, _("Your check-in of %(day)s is deleted.") % {"day": day})
        return redirect("journal:history")
    return render(
        request,
        "confirm_remove.html",
        {
            "heading": _("Delete this check-in"),
            "item": _("Your check-in of %(day)s") % {"day": day},
            "action": reverse("journal:checkin-delete", args=[entry.pk]),
            "back_url": f"{reverse('journal:checkin')}?date={entry.date.isoformat()}",
        },
    )


@login_required
@patient_page
@require_http_methods(["GET", "POST"])
def questionnaire_delete(request: AuthenticatedHttpRequest[User], response_id: int) -> HttpResponse:
    """Delete a questionnaire response entered by mistake (a confirmation page, then POST)."""
    response = visible_row_or_404(request, QuestionnaireResponse.objects.all(), response_id)
    day = date_format(patient_local_date(response.patient, response.completed_at), "j F Y")
    what = _("Your %(questionnaire)s of %(day)s") % {
        "questionnaire": response.get_instrument_display(),
        "day": day,
    }
    if request.method == "POST":
        services.questionnaire_response_delete(response=response)
        messages.success(request, _("Deleted: %(what)s.") % {"what": what})
        return redirect("journal:history")
    return render(
        request,
        "confirm_remove.html",
        {
            "heading": _("Delete this questionnaire"),
            "item": what,
            "action": reverse("journal:questionnaire-delete", args=[response.pk]),
            "back_url": reverse("journal:history"),
        },
    )
