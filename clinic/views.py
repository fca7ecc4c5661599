from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import access_patient, is_verified_clinician, visible_row_or_404
from accounts.audit import audit_event, audit_read, audit_reads
from accounts.decorators import role_required
from accounts.models import Role, User
from accounts.removals import removed_items_for
from alerts import services as alert_services
from alerts.models import Alert
from alerts.selectors import events_by_alert, unread_count
from clinic import checkins, hunter, reports, selectors
from clinic.cards import alert_cards, history_lines
from clinic.forms import SCOPE_CHOICES, AlertQueueForm, parse_dashboard_query
from clinic.record import build_record_view
from clinic.rows import prepare_rows
from core.http import AuthenticatedHttpRequest
from core.timezones import patient_today

ALERT_QUEUE_PAGE_SIZE = 25
PHQ9_PAGE_SIZE = 10
# The event htmx raises (HX-Trigger) after an alert action; the navigation badge refreshes.
ALERTS_CHANGED_EVENT = "alerts-changed"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def clinician_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Verified clinicians only; other roles 404, unverified clinicians see the waiting page."""

    @login_required
    @role_required(Role.CLINICIAN)
    def wrapper(request: AuthenticatedHttpRequest[User], *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_verified_clinician(request.user):
            if view.__name__ == "dashboard":
                return render(request, "clinic/awaiting_verification.html")
            raise Http404("Page not found.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@clinician_page
def dashboard(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    """Triage of linked patients: worst open alert first, then the biggest worsening."""
    query = parse_dashboard_query(request.GET)
    page = selectors.dashboard_page(request.user, query, with_unread=True)
    audit_reads(
        request,
        patient_ids=[row.patient.pk for row in page.rows],
        action="dashboard_view",
        object_type="patient_list",
    )
    days = selectors.SPARKLINE_DAYS
    # Labels, dates and sparklines in Python: the template engine is the slowest part of a row.
    prepare_rows(page.rows, days=days)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "clinic/dashboard.html",
        {
            "page": page,
            "rows": page.rows,
            "filters": [
                (key, label, key in query.filters) for key, label in selectors.FILTERS.items()
            ],
            "query_string": params.urlencode(),
            "scopes": SCOPE_CHOICES,
            "sparkline_days": days,
            # Counted by the triage query; when None the badge's context processor counts.
            **({} if page.unread_alerts is None else {"alert_badge": page.unread_alerts}),
        },
    )


def _record_days(request: AuthenticatedHttpRequest[User]) -> int | None:
    try:
        days = int(request.GET.get("days", ""))
    except ValueError:
        return None
    return days if days in selectors.RECORD_DAY_CHOICES else None


def _record_context(
    request: AuthenticatedHttpRequest[User], patient: User, **extra: Any
) -> dict[str, Any]:
    days = _record_days(request)
    record = selectors.patient_record(patient, days=days)
    view = build_record_view(record)
    # Every PHQ-9 is reachable (newest first, PHQ9_PAGE_SIZE a page); an out-of-range page
    # number shows the nearest page.
    phq9_page = Paginator(view.phq9_rows, PHQ9_PAGE_SIZE).get_page(request.GET.get("phq9_page"))
    return {
        "patient": patient,
        "record": record,
        "view": view,
        # Built in Python once: per-card {% url %} and filters were most of the render time.
        "history": history_lines(record.alerts, events=record.events),
        "open_cards": alert_cards(record.open_alerts, events=record.events, viewer=request.user),
        "next": request.path,
        "hunter_findings": hunter.FINDINGS.items(),
        "hunter_rules": hunter.RULES.items(),
        "day_choices": selectors.RECORD_DAY_CHOICES,
        "days": days,
        "phq9_page": phq9_page,
        "removed_items": removed_items_for(patient),
        **_checkins_context(request, patient, record),
        **extra,
    }


def _checkins_context(
    request: AuthenticatedHttpRequest[User], patient: User, record: selectors.PatientRecord
) -> dict[str, Any]:
    """Notes (first page, or the search a no-script form asked for), heat map and symptoms."""
    start, end = record.start, record.today
    counts, checkin_days = checkins.region_day_counts(record.entries, start=start, end=end)
    symptom_days = checkins.symptom_days(record.entries, start=start, end=end)
    try:
        query = checkins.clean_notes_query(request.GET.get("q"))
        notes_error = ""
    except checkins.NotesQueryError as error:
        query, notes_error = "", str(error)
    notes = checkins.patient_notes(
        patient,
        start=start,
        end=end,
        query=query,
        page=checkins.notes_page_number(request.GET.get("notes_page")),
    )
    return {
        "notes": notes,
        "notes_error": notes_error,
        "notes_start": start,
        "notes_end": end,
        "region_counts": sorted((c for c in counts if c.days), key=lambda c: (-c.days, c.label)),
        "regions_unmarked": [c.label for c in counts if not c.days],
        "checkin_days": checkin_days,
        "heat_figures": checkins.heat_map_svgs(counts),
        "heat_legend": checkins.HEAT_LEGEND,
        "symptom_days": symptom_days,
        "symptom_totals": checkins.symptom_totals(symptom_days),
    }


@clinician_page
def patient_record(request: AuthenticatedHttpRequest[User], patient_id: int) -> HttpResponse:
    patient = access_patient(request.user, patient_id, flag_export=True)
    context = _record_context(request, patient)
    audit_read(
        request, patient=patient, action="record_view", object_type="patient", object_id=patient.pk
    )
    return render(request, "clinic/patient_record.html", context)


@clinician_page
def patient_notes(request: AuthenticatedHttpRequest[User], patient_id: int) -> HttpResponse:
    """The record's notes list (htmx partial): a search over this patient's check-in notes
    in the record's period, newest first, a page at a time. Audited like the record."""
    patient = access_patient(request.user, patient_id)
    audit_read(
        request, patient=patient, action="record_notes", object_type="patient", object_id=patient.pk
    )
    context: dict[str, Any] = {"patient": patient, "days": _record_days(request)}
    try:
        start, end = checkins.notes_period(
            request.GET,
            today=selectors.clinic_today(),
            days=_record_days(request) or selectors.RECORD_DEFAULT_DAYS,
        )
        query = checkins.clean_notes_query(request.GET.get("q"))
    except checkins.NotesQueryError as error:
        context["notes_error"] = str(error)
        return render(request, "clinic/_notes.html", context, status=400)
    context.update(
        notes=checkins.patient_notes(
            patient,
            start=start,
            end=end,
            query=query,
            page=checkins.notes_page_number(request.GET.get("page")),
        ),
        notes_start=start,
        notes_end=end,
    )
    return render(request, "clinic/_notes.html", context)


def _hunter_from_post(post: QueryDict) -> tuple[set[str], float | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    findings = {name for name in hunter.FINDINGS if post.get(name) in ("on", "1", "true")}
    temperature = None
    raw = (post.get("temperature_c") or "").strip().replace(",", ".")
    if raw:
        try:
            temperature = float(raw)
            if not 30 <= temperature <= 45:
                raise ValueError
        except ValueError:
            errors["temperature_c"] = ["Enter a body temperature in °C between 30 and 45."]
    return findings, temperature, errors


@clinician_page
@require_POST
def hunter_check(request: AuthenticatedHttpRequest[User], patient_id: int) -> HttpResponse:
    """Hunter criteria from the exam; optionally saved as a note on one of the patient's alerts."""
    patient = access_patient(request.user, patient_id, flag_export=True)
    findings, temperature, errors = _hunter_from_post(request.POST)
    record = selectors.patient_record(patient)
    present = bool(record.assessment.counted) or request.POST.get("serotonergic_other") == "on"
    result = None
    saved_on = None
    if not errors:
        result = hunter.hunter_criteria(
            serotonergic_drug=present, findings=findings, temperature_c=temperature
        )
        alert_id = request.POST.get("save_to_alert") or ""
        if alert_id:
            alert = next((a for a in record.open_alerts if str(a.pk) == alert_id), None)
            if alert is None:
                errors["save_to_alert"] = ["Choose one of this patient's open alerts."]
            else:
                alert_services.alert_add_note(
                    alert=alert,
                    actor=request.user,
                    note=_hunter_note(result, findings, temperature),
                )
                saved_on = alert
    audit_read(
        request, patient=patient, action="hunter_check", object_type="patient", object_id=patient.pk
    )
    hunter_context = {
        "hunter_result": result,
        "hunter_errors": errors,
        "hunter_saved_on": saved_on,
        "hunter_present": present,
        "patient": patient,
    }
    status = 400 if errors else 200
    if _is_htmx(request):
        return render(request, "clinic/_hunter_result.html", hunter_context, status=status)
    hunter_context.pop("patient")
    context = _record_context(request, patient, **hunter_context)
    return render(request, "clinic/patient_record.html", context, status=status)


def _hunter_note(
    result: hunter.HunterResult, findings: Iterable[str], temperature: float | None
) -> str:
    listed = ", ".join(hunter.FINDINGS[f] for f in sorted(findings)) or "none"
    temp = f"{temperature:g} °C" if temperature is not None else "not recorded"
    return f"{result.summary} Exam findings: {listed}. Temperature: {temp}."


# --- Alert queue ------------------------------------------------------------------------------


if TYPE_CHECKING:
    # Generic for mypy only: at run time Paginator is not subscriptable (no django_stubs_ext).
    _AlertPaginator = Paginator[Alert]
else:
    _AlertPaginator = Paginator


class _CountedPaginator(_AlertPaginator):
    """A Paginator told its count (selectors.alert_queue_counts), so it does not count again."""

    def __init__(self, object_list: QuerySet[Alert], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@clinician_page
def alert_queue(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    form = AlertQueueForm(request.GET, patients=selectors.queue_patients(request.user))
    query = form.query()
    total, unread = selectors.alert_queue_counts(request.user, query)
    paginator = _CountedPaginator(
        selectors.alert_queue(request.user, query=query), ALERT_QUEUE_PAGE_SIZE, count=total
    )
    page = paginator.get_page(query.page)
    audit_reads(
        request,
        patient_ids=[alert.patient_id for alert in page.object_list],
        action="alert_queue_view",
        object_type="alert_list",
    )
    return render(
        request,
        "clinic/alert_queue.html",
        {
            "page": page,
            "cards": alert_cards(
                page.object_list,
                events=events_by_alert(alert.pk for alert in page.object_list),
                viewer=request.user,
            ),
            "form": form,
            "query": query,
            "filtered": bool(
                query.kind or query.severity or query.status or query.patient_id or query.assigned
            ),
            "query_string": form.query_string(query),
            "bulk": True,
            "next": request.get_full_path(),
            # Counted with the total above: the badge's context processor need not ask again.
            "alert_badge": unread,
        },
    )


# At most this many alerts per bulk acknowledge (more than a queue page holds).
BULK_ACKNOWLEDGE_MAX = 100


@clinician_page
@require_POST
def alerts_bulk_acknowledge(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    """Acknowledge the ticked alerts at once. Ids outside the clinician's patients (or that
    are not numbers) are ignored without a word, so the answer reveals nothing about them."""
    ids: set[int] = set()
    for raw in request.POST.getlist("alert")[:BULK_ACKNOWLEDGE_MAX]:
        try:
            value = int(raw)
        except ValueError:
            continue
        # Beyond a 64-bit key no alert can have it (and SQLite refuses to bind it).
        if 0 < value < 2**63:
            ids.add(value)
    visible = selectors.alert_queue(request.user, unresolved_only=False).filter(pk__in=ids)
    with transaction.atomic():
        patient_of = {alert.pk: alert.patient for alert in visible.select_related("patient")}
        done = alert_services.alerts_acknowledge(alert_ids=patient_of, actor=request.user)
        for alert in done:
            audit_event(
                actor=request.user,
                patient=patient_of[alert.pk],
                action="alert_bulk_acknowledge",
                object_type="alert",
                object_id=alert.pk,
                request=request,
            )
    if not patient_of:
        messages.error(request, "Tick the alerts to acknowledge first.")
    elif done:
        count = len(done)
        messages.success(request, f"{count} alert{pluralize(count)} acknowledged.")
    else:
        messages.info(request, "Those alerts were already acknowledged.")
    response = redirect(_back(request))
    response["HX-Trigger"] = ALERTS_CHANGED_EVENT
    return response


@clinician_page
def alert_badge(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    """The navigation badge alone (open alerts of the panel): polled by clinic/alert-badge.js
    and fetched again on the `alerts-changed` event. One count query after sign-in's own."""
    response = render(
        request, "clinic/_alert_badge.html", {"alert_badge": unread_count(request.user)}
    )
    response["Cache-Control"] = "no-store"
    return response


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("clinic:alerts")


def _alert_action(
    request: AuthenticatedHttpRequest[User], alert_id: int, action: str
) -> HttpResponse:
    # Audited on fetch: the clinician saw the alert whether or not the action succeeds.
    alert = visible_row_or_404(
        request, Alert.objects.all(), alert_id, audit=f"alert_{action}", object_type="alert"
    )
    note = request.POST.get("note", "")
    error = None
    try:
        if action == "acknowledge":
            alert_services.alert_acknowledge(alert=alert, actor=request.user)
            if note.strip():
                alert_services.alert_add_note(alert=alert, actor=request.user, note=note)
        elif action == "note":
            alert_services.alert_add_note(alert=alert, actor=request.user, note=note)
        elif action == "assign":
            alert_services.alert_assign(alert=alert, actor=request.user)
        elif action == "unassign":
            alert_services.alert_unassign(alert=alert, actor=request.user)
        else:
            alert_services.alert_resolve(alert=alert, actor=request.user, note=note)
    except alert_services.AlertWorkflowError as exc:
        error = "; ".join(text for texts in exc.errors.values() for text in texts)
    if _is_htmx(request):
        alert = selectors.alert_queue(request.user, unresolved_only=False).get(pk=alert.pk)
        response = render(
            request,
            "clinic/_alert_card.html",
            {
                "card": alert_cards(
                    [alert], events=events_by_alert([alert.pk]), viewer=request.user
                )[0],
                "error": error,
                "error_action": action,
                "next": _back(request),
                "bulk": request.POST.get("bulk") == "1",
            },
        )
        # The navigation badge listens for this (clinic/static/clinic/alert-badge.js).
        response["HX-Trigger"] = ALERTS_CHANGED_EVENT
        return response
    if error:
        messages.error(request, error)
    return redirect(_back(request))


@clinician_page
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest[User], alert_id: int) -> HttpResponse:
    return _alert_action(request, alert_id, "acknowledge")


@clinician_page
@require_POST
def alert_note(request: AuthenticatedHttpRequest[User], alert_id: int) -> HttpResponse:
    return _alert_action(request, alert_id, "note")


@clinician_page
@require_POST
def alert_resolve(request: AuthenticatedHttpRequest[User], alert_id: int) -> HttpResponse:
    return _alert_action(request, alert_id, "resolve")


@clinician_page
@require_POST
def alert_assign(request: AuthenticatedHttpRequest[User], alert_id: int) -> HttpResponse:
    """ "I'll take it": the clinician (or triage member) who sees the patient owns the alert;
    taking it over from a colleague (cover) is allowed and on the timeline."""
    return _alert_action(request, alert_id, "assign")


@clinician_page
@require_POST
def alert_unassign(request: AuthenticatedHttpRequest[User], alert_id: int) -> HttpResponse:
    """ "Hand back": the assignee gives the alert back to the team (anyone else: no change)."""
    return _alert_action(request, alert_id, "unassign")


# --- Visit reports ----------------------------------------------------------------------------


REPORT_FORMATS = ("pdf", "csv")


def _report_response(
    request: AuthenticatedHttpRequest[User], patient: User, fmt: str, *, back_url: str
) -> HttpResponse:
    if fmt not in REPORT_FORMATS:
        raise Http404("No such report format.")
    try:
        # The period is in the patient's dates, like every row of the report.
        start, end = reports.parse_period(request.GET, today=patient_today(patient))
    except reports.PeriodError as error:
        return render(
            request,
            "clinic/report_error.html",
            {
                "errors": error.errors,
                "patient": patient,
                "back_url": back_url,
                "params": request.GET,
            },
            status=400,
        )
    data = reports.report_data(patient, start=start, end=end)
    data.time_zone = _reader_zone(request.user, patient)
    audit_read(
        request,
        patient=patient,
        action=f"report_{fmt}",
        object_type="patient",
        object_id=patient.pk,
    )
    filename = f"visit-report-{patient.pk}-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "pdf":
        response = HttpResponse(reports.render_pdf(data), content_type="application/pdf")
    else:
        response = HttpResponse(reports.render_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _reader_zone(reader: User, patient: User) -> str:
    """The zone the report's times are shown in: the clinician's own, or the patient's."""
    profile = getattr(reader, "clinician_profile", None) or getattr(
        patient, "patient_profile", None
    )
    return getattr(profile, "timezone", "") or "UTC"


@clinician_page
def report_download(
    request: AuthenticatedHttpRequest[User], patient_id: int, fmt: str
) -> HttpResponse:
    patient = access_patient(request.user, patient_id, export=True)
    back = reverse("clinic:patient", args=[patient.pk])
    return _report_response(request, patient, fmt, back_url=back)


@login_required
@role_required(Role.PATIENT)
def patient_report(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    """The patient's own visit report: choose a period, download PDF or CSV."""
    return render(
        request,
        "clinic/patient_report.html",
        {"default_days": reports.DEFAULT_PERIOD_DAYS, "max_years": reports.MAX_PERIOD_YEARS},
    )


@login_required
@role_required(Role.PATIENT)
def patient_report_download(request: AuthenticatedHttpRequest[User], fmt: str) -> HttpResponse:
    patient = access_patient(request.user, request.user.pk)
    return _report_response(request, patient, fmt, back_url=reverse("clinic-patient:report"))
