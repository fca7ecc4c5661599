"""Patient page /patient/medications/: the medicine list, add, change dose, mark as no longer
taken. Findings are computed synchronously on every page view, so they are current right after
each change (never waiting for the alert job)."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import visible_row_or_404
from accounts.decorators import role_required
from accounts.models import Role, User
from core.forms import submit_form
from core.http import AuthenticatedHttpRequest
from medications import selectors, services
from medications.catalog import drug_keys, name_suggestions
from medications.forms import (
    DRUG_NAMES_LIST_ID,
    ChangeDoseForm,
    CorrectCourseForm,
    MedicationAddForm,
    StopForm,
)
from medications.interactions import display_name
from medications.models import Drug, MedicationCourse
from medications.names import client_rules
from medications.selectors import product_ingredients
from medications.templatetags.medications_tags import dose_text

patient_page = role_required(Role.PATIENT)
# A form the patient submitted with errors, by (form kind, course id), shown again as sent.
BoundForms = dict[tuple[str, int], forms.Form]

# Calm labels for the patient; the clinician sees the severity itself. A `minor` finding is
# "worth mentioning to your clinician" (docs/clinical-rules.md#pair-rules), never alarming.
PATIENT_SEVERITY_LABELS = {
    "contraindicated": (gettext_noop("Important"), "sev-critical"),
    "major": (gettext_noop("Important"), "sev-high"),
    "moderate": (gettext_noop("Worth checking"), "sev-moderate"),
    "minor": (gettext_noop("Worth mentioning"), "sev-low"),
}
# What kind of risk a finding is, in the patient's words (Finding.mechanism).
PATIENT_MECHANISM_LABELS = {
    "serotonergic": gettext_noop("Serotonin"),
    "hypertensive": gettext_noop("Blood pressure risk"),
}


@dataclass(frozen=True)
class _CatalogNames:
    keys: dict[str, str]  # normalised key -> generic name (the page's script resolves names)
    options: SafeString  # the datalist's <option>s, escaped
    keys_script: SafeString  # `keys` as json_script "drug-keys"


def _catalog_names() -> _CatalogNames:
    """The catalog's names as the medicines page embeds them. One query each time; the rest is
    computed once per catalog content (normalising ~1,000 names and writing ~1,000 options was
    most of the page's time), so an edit in the admin shows on the next page view."""
    rows = tuple(
        (name, tuple(brands) if isinstance(brands, list) else ())
        for name, brands in Drug.objects.order_by("name").values_list("name", "brand_names")
    )
    return _catalog_names_of(rows)


@lru_cache(maxsize=4)
def _catalog_names_of(rows: tuple[tuple[str, tuple[str, ...]], ...]) -> _CatalogNames:
    labels: list[str] = []
    keys: dict[str, str] = {}
    for name, brands in rows:
        labels.append(name)
        labels.extend(brands)
        for key in drug_keys(name, list(brands)):
            keys.setdefault(key, name)
    labels.sort(key=str.lower)
    options = "".join(f'<option value="{escape(label)}"></option>' for label in labels)
    return _CatalogNames(
        keys=keys,
        options=mark_safe(options),  # noqa: S308 - every label escaped above
        keys_script=json_script(keys, "drug-keys"),
    )


def _course_forms(
    course: MedicationCourse, today: date, bound: BoundForms
) -> dict[str, forms.Form]:
    dose_form = bound.get(("dose", course.pk)) or ChangeDoseForm(
        prefix=f"dose-{course.pk}",
        initial={
            "dose": dose_text(course.dose),
            "unit": course.unit,
            "frequency": course.frequency,
            "changed_on": today,
        },
    )
    stop_form = bound.get(("stop", course.pk)) or StopForm(
        prefix=f"stop-{course.pk}", initial={"stopped_on": max(today, course.started_on)}
    )
    return {"dose_form": dose_form, "stop_form": stop_form}


def _render(
    request: AuthenticatedHttpRequest[User],
    *,
    add_form: MedicationAddForm | None = None,
    bound: BoundForms | None = None,
    status: int = 200,
) -> HttpResponse:
    overview = selectors.medication_overview(request.user)
    bound = bound or {}
    current = [
        {"line": line, **_course_forms(line.course, overview.today, bound)}
        for line in overview.current
    ]
    catalog = _catalog_names()
    # "Did you mean ...?" for every free-text course (one query for all of them).
    free_text = [line.course for line in (*overview.current, *overview.past) if not line.recognised]
    by_name = name_suggestions({course.name for course in free_text})
    suggestions = {course.pk: by_name.get(course.name, []) for course in free_text}
    # Findings name a product's ingredients; say which product each came from.
    products_with: dict[str, list[str]] = {}
    for line in overview.current:
        if line.course.drug is not None:
            for part in product_ingredients(line.course.drug):
                names = products_with.setdefault(part, [])
                if line.course.name not in names:
                    names.append(line.course.name)
    findings = [
        {
            "finding": finding,
            "sources": [
                _("%(ingredient)s is in %(products)s.")
                % {
                    "ingredient": _capitalize(display_name(name)),
                    "products": _(" and ").join(products_with[name]),
                }
                for name in finding.drugs
                if name in products_with
            ],
            "label": _(PATIENT_SEVERITY_LABELS[finding.severity][0]),
            "css": PATIENT_SEVERITY_LABELS[finding.severity][1],
            "kind": _(PATIENT_MECHANISM_LABELS.get(finding.mechanism, ""))
            if finding.mechanism in PATIENT_MECHANISM_LABELS
            else "",
        }
        for finding in overview.assessment.findings
    ]
    context = {
        "overview": overview,
        "current": current,
        "past": overview.past,
        "findings": findings,
        "add_form": add_form or MedicationAddForm(initial={"started_on": overview.today}),
        "drug_options": catalog.options,
        "drug_keys_script": catalog.keys_script,
        "drug_names_list_id": DRUG_NAMES_LIST_ID,
        "suggestions": suggestions,
        "name_rules": client_rules(),
    }
    return render(request, "medications/medicines.html", context, status=status)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


@login_required
@patient_page
def medicines(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    if request.method != "POST":
        return _render(request)
    form = MedicationAddForm(request.POST)
    course = submit_form(
        form, lambda data: services.medication_course_create(patient=request.user, **data)
    )
    if course is not None:
        messages.success(request, _("Added %(name)s.") % {"name": course.name})
        return redirect("medications:medicines")
    return _render(request, add_form=form, status=400)


@login_required
@patient_page
@require_POST
def change_dose(request: AuthenticatedHttpRequest[User], pk: int) -> HttpResponse:
    course = visible_row_or_404(request, MedicationCourse.objects.all(), pk)
    form = ChangeDoseForm(request.POST, prefix=f"dose-{pk}")
    new_course = submit_form(
        form, lambda data: services.medication_course_change_dose(course=course, **data)
    )
    if new_course is not None:
        messages.success(request, _("Saved the new dose of %(name)s.") % {"name": new_course.name})
        return redirect("medications:medicines")
    return _render(request, bound={("dose", pk): form}, status=400)


@login_required
@patient_page
@require_POST
def stop(request: AuthenticatedHttpRequest[User], pk: int) -> HttpResponse:
    course = visible_row_or_404(request, MedicationCourse.objects.all(), pk)
    form = StopForm(request.POST, prefix=f"stop-{pk}")
    stopped = submit_form(form, lambda data: services.medication_course_stop(course=course, **data))
    if stopped is not None:
        messages.success(request, _("Saved: you no longer take %(name)s.") % {"name": course.name})
        return redirect("medications:medicines")
    return _render(request, bound={("stop", pk): form}, status=400)


@login_required
@patient_page
@require_POST
def confirm_drug(request: AuthenticatedHttpRequest[User], pk: int) -> HttpResponse:
    """The patient answers "Did you mean sertraline?" with yes: link the course to that drug."""
    course = visible_row_or_404(request, MedicationCourse.objects.all(), pk)
    try:
        confirmed = services.medication_course_confirm_drug(
            course=course, drug=request.POST.get("drug", "")
        )
    except services.MedicationInputError as error:
        for message in error.errors.get("drug", []):
            messages.error(request, message)
        return _render(request, status=400)
    messages.success(
        request,
        _("Saved: %(name)s is checked as %(drug)s.")
        % {"name": confirmed.name, "drug": confirmed.drug},
    )
    return redirect("medications:medicines")


@login_required
@patient_page
@require_http_methods(["GET", "POST"])
def delete(request: AuthenticatedHttpRequest[User], pk: int) -> HttpResponse:
    """Delete a medicine entered by mistake (not "I no longer take this": that is Stop)."""
    course = visible_row_or_404(request, MedicationCourse.objects.all(), pk)
    what = _("%(name)s, since %(day)s") % {
        "name": course.name,
        "day": date_format(course.started_on, "j F Y"),
    }
    if request.method == "POST":
        services.medication_course_delete(course=course)
        messages.success(request, _("Deleted: %(what)s.") % {"what": what})
        return redirect("medications:medicines")
    return render(
        request,
        "confirm_remove.html",
        {
            "heading": _("Delete this medicine"),
            "item": what,
            "extra": _(
                "If you took it and stopped, use \u201cI no longer take this\u201d instead: "
                "your care team needs to know what you took."
            ),
            "action": reverse("medications:delete", args=[course.pk]),
            "back_url": reverse("medications:medicines"),
        },
    )


@login_required
@patient_page
@require_http_methods(["GET", "POST"])
def correct(request: AuthenticatedHttpRequest[User], pk: int) -> HttpResponse:
    """Correct the start date or dose of a course entered wrongly. The same checks as the API's
    PATCH (a date in the future, before an earlier dose, after the last day: refused)."""
    course = visible_row_or_404(request, MedicationCourse.objects.all(), pk)
    if request.method == "POST":
        form = CorrectCourseForm(request.POST)
        saved = submit_form(
            form,
            lambda data: services.medication_course_update(
                course=course,
                changes={
                    "started_on": data["started_on"],
                    "dose": data["dose"] or None,
                    "unit": data["unit"] if data["dose"] else "",
                },
            ),
        )
        if saved is not None:
            messages.success(request, _("Corrected: %(name)s.") % {"name": course.name})
            return redirect("medications:medicines")
        status = 400
    else:
        form = CorrectCourseForm(
            initial={
                "started_on": course.started_on,
                "dose": dose_text(course.dose),
                "unit": course.unit,
            }
        )
        status = 200
    return render(
        request,
        "medications/correct.html",
        {"form": form, "course": course},
        status=status,
    )
