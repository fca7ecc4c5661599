"""Visit report of one patient for a chosen period: PDF (reportlab) and CSV.

Callers pass a patient already checked by accounts.access.

Everything in a report is text someone typed (names, medicines, notes): reportlab's Paragraph
reads its text as markup (`<a href>`, `<font>`, `<img src=/server/path>`), so every Paragraph is
built by `_para`, which escapes it; the CSV goes through core.safecsv, which neutralises cells
a spreadsheet would run as a formula.

Period and rows agree (docs/architecture.md#time): the period is a range of the patient's own
local dates, both ends inclusive, and every row is in it by the same measure. Check-ins by their
date; questionnaires and alerts by the patient's local date of the instant (completed_at,
created_at), filtered as the instants from the patient's local midnight of `start` to before
the local midnight after `end` (a `__date` lookup would use the viewer's zone), and printed with
that same local date; medicines are those taken on any day of the period (started on or before
`end`, not stopped before `start`), so a start date before the period is the course's own.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Q
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounts.models import User
from alerts.models import Alert
from clinic import report_checkins
from core import safecsv
from core.errors import FieldErrors
from core.timezones import patient_day_bounds, patient_local_date
from journal.instruments import phq9
from journal.models import DailyEntry, QuestionnaireResponse
from medications import interactions
from medications.catalog import courses_facts
from medications.models import MedicationCourse

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_YEARS = 5
SCALES = ("pain", "fatigue", "sleep_quality", "cognition", "mood")
SCALE_LABELS = {
    "pain": "Pain (10 worst)",
    "fatigue": "Fatigue (10 worst)",
    "sleep_quality": "Sleep quality (10 best)",
    "cognition": "Brain fog (10 worst)",
    "mood": "Mood (10 best)",
}


class PeriodError(FieldErrors):
    """A report period that cannot be used (`start`/`end` messages)."""


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def parse_period(params: Mapping[str, str], *, today: date) -> tuple[date, date]:
    """(start, end) from ?start=&end= (ISO dates, inclusive). Default: the last 90 days."""
    errors: dict[str, list[str]] = {}
    values: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = (params.get(name) or "").strip()
        if not raw:
            values[name] = None
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = [f"Enter a date as YYYY-MM-DD (got “{raw[:20]}”)."]
    if errors:
        raise PeriodError(errors)
    end = values["end"] or today
    start = values["start"] or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start > end:
        raise PeriodError({"start": ["The start date is after the end date."]})
    if end > _add_years(start, MAX_PERIOD_YEARS):
        raise PeriodError({"end": [f"Choose a period of at most {MAX_PERIOD_YEARS} years."]})
    return start, end


@dataclass
class ReportData:
    patient: User
    start: date
    end: date
    entries: list[DailyEntry]
    responses: list[QuestionnaireResponse]
    courses: list[MedicationCourse]
    alerts: list[Alert]
    assessment: interactions.Assessment
    # The zone the reader's times are shown in (named next to each time); set by the view.
    time_zone: str = "UTC"


def report_data(patient: User, *, start: date, end: date) -> ReportData:
    """The patient's data on their local dates `start`..`end` (inclusive)."""
    first_instant, after_instant = patient_day_bounds(patient, start, end)
    entries = list(
        DailyEntry.objects.filter(patient=patient, date__gte=start, date__lte=end).order_by("date")
    )
    responses = list(
        QuestionnaireResponse.objects.filter(
            patient=patient, completed_at__gte=first_instant, completed_at__lt=after_instant
        ).order_by("completed_at", "id")
    )
    courses = list(
        MedicationCourse.objects.filter(patient=patient, started_on__lte=end)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=start))
        .select_related("drug")
        .prefetch_related("drug__ingredients")  # a combination product counts each ingredient
        .order_by("started_on", "id")
    )
    alerts = list(
        Alert.objects.filter(
            patient=patient, created_at__gte=first_instant, created_at__lt=after_instant
        ).order_by("created_at", "id")
    )
    return ReportData(
        patient=patient,
        start=start,
        end=end,
        entries=entries,
        responses=responses,
        courses=courses,
        alerts=alerts,
        assessment=interactions.assess(courses_facts(courses), end),
    )


def local_day(data: ReportData, moment: datetime) -> str:
    """The patient's local date of `moment` (ISO): the date a report row shows."""
    return patient_local_date(data.patient, moment).isoformat()


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def scale_summary(entries: Sequence[DailyEntry]) -> list[tuple[str, str, str, str]]:
    rows = []
    for scale in SCALES:
        values = [getattr(e, scale) for e in entries]
        if values:
            rows.append(
                (SCALE_LABELS[scale], _fmt(mean(values)), str(min(values)), str(max(values)))
            )
        else:
            rows.append((SCALE_LABELS[scale], "", "", ""))
    return rows


def _score_text(response: QuestionnaireResponse) -> str:
    score: dict[str, Any] = response.score or {}
    if response.instrument == "phq9":
        band = phq9.BAND_LABELS.get(score.get("band", ""), score.get("band", ""))
        return f"total {score.get('total')} ({band}), item 9: {score.get('item9')}"
    if response.instrument == "fiqr":
        return f"total {score.get('total')}"
    if response.instrument == "acr2016":
        met = "met" if score.get("meets_criteria") else "not met"
        return f"WPI {score.get('wpi')}, SSS {score.get('sss')}, criteria {met}"
    return ""


def _course_text(course: MedicationCourse) -> tuple[str, str, str, str]:
    name = course.drug.name if course.drug is not None else f"{course.name} (not in catalog)"
    dose = f"{course.dose.normalize():f} {course.unit}".strip() if course.dose else ""
    stopped = course.stopped_on.isoformat() if course.stopped_on else "ongoing"
    return (
        name,
        f"{dose} {course.get_frequency_display()}".strip(),
        course.started_on.isoformat(),
        stopped,
    )


def render_csv(data: ReportData) -> str:
    out = io.StringIO()
    writer = safecsv.writer(out)
    writer.writerow(["section", "date", "item", "value", "detail"])
    writer.writerow(["period", data.start.isoformat(), "start", "", ""])
    writer.writerow(["period", data.end.isoformat(), "end", "", ""])
    for e in data.entries:
        for scale in SCALES:
            writer.writerow(["checkin", e.date.isoformat(), scale, getattr(e, scale), ""])
    for r in data.responses:
        writer.writerow(
            [
                "questionnaire",
                local_day(data, r.completed_at),
                r.instrument,
                (r.score or {}).get("total", ""),
                _score_text(r),
            ]
        )
    for c in data.courses:
        name, dose, started, stopped = _course_text(c)
        writer.writerow(["medication", started, name, dose, f"until {stopped}"])
    for a in data.alerts:
        writer.writerow(
            ["alert", local_day(data, a.created_at), a.get_kind_display(), a.severity, a.status]
        )
    for row in report_checkins.csv_rows(
        entries=data.entries,
        alerts=data.alerts,
        start=data.start,
        end=data.end,
        zone_name=data.time_zone,
    ):
        writer.writerow(row)
    return out.getvalue()


def _para(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing `text` literally: reportlab parses Paragraph text as markup."""
    return Paragraph(escape(str(text)), style)


def render_pdf(data: ReportData) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Visit report",
    )
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def table(
        header: list[str], rows: Sequence[Sequence[object]], widths: list[float] | None = None
    ) -> Paragraph | Table:
        if not rows:
            return _para("None in this period.", styles["Normal"])
        cells = [header] + [[_para(c, styles["BodyText"]) for c in row] for row in rows]
        t = Table(cells, colWidths=widths, repeatRows=1)
        t.setStyle(table_style)
        return t

    patient = data.patient
    story = [
        _para("Visit report", styles["Title"]),
        _para(
            f"{patient.display_name} · period {data.start.isoformat()} to {data.end.isoformat()} "
            "(the patient's local dates, both days included)",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
        _para("Daily check-ins", styles["Heading2"]),
        _para(f"{len(data.entries)} check-ins in this period.", styles["Normal"]),
        table(["Scale (0-10)", "Mean", "Lowest", "Highest"], scale_summary(data.entries)),
        Spacer(1, 4 * mm),
        _para("Questionnaires", styles["Heading2"]),
        table(
            ["Date", "Questionnaire", "Result"],
            [
                (local_day(data, r.completed_at), r.get_instrument_display(), _score_text(r))
                for r in data.responses
            ],
        ),
        Spacer(1, 4 * mm),
        _para("Medications", styles["Heading2"]),
        _para(
            "Medicines taken on any day of the period (a start may be earlier).", styles["Normal"]
        ),
        table(["Medicine", "Dose", "Started", "Last day"], [_course_text(c) for c in data.courses]),
        Spacer(1, 4 * mm),
        _para("Interactions (serotonergic and blood pressure)", styles["Heading2"]),
    ]
    if data.assessment.findings:
        for finding in data.assessment.findings:
            kind = " (BLOOD PRESSURE)" if finding.mechanism == "hypertensive" else ""
            text = f"{finding.severity.upper()}{kind}: {finding.explanation}"
            story.append(_para(text, styles["BodyText"]))
    else:
        story.append(_para("No interaction finding at the end of the period.", styles["Normal"]))
    story += [
        Spacer(1, 4 * mm),
        _para("Alerts", styles["Heading2"]),
        table(
            ["Date", "Alert", "Severity", "Status"],
            [
                (
                    local_day(data, a.created_at),
                    a.title,
                    a.get_severity_display(),
                    a.get_status_display(),
                )
                for a in data.alerts
            ],
        ),
    ]
    story += report_checkins.pdf_sections(
        entries=data.entries,
        courses=data.courses,
        alerts=data.alerts,
        start=data.start,
        end=data.end,
        zone_name=data.time_zone,
        para=_para,
        table=table,
        styles=styles,
    )
    story += [
        Spacer(1, 6 * mm),
        _para(
            "This report summarises what the patient logged. It is not a diagnosis.",
            styles["Italic"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
