"""Reads for the clinician workspace, at a fixed number of queries.

Every read starts from accounts.access (`patients_visible_to` / `access_patient`). The triage
ordering and filters are computed by PostgreSQL over the clinician's whole panel (correlated
subqueries on the (patient, date) and (patient, status) indexes), so a page costs the same
queries with 20 or 500 patients; only the page's 25 rows load their details.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.access import patients_visible_to
from alerts.models import Alert, AlertEvent, AlertStatus
from clinic.models import PatientTriage
from journal.models import DailyEntry, Instrument, QuestionnaireResponse
from medications import interactions
from medications.interactions import CourseFacts, DrugFacts
from medications.models import MedicationCourse

PAGE_SIZE = 25
# A larger page is simply past the end (the last page is shown); the cap keeps the OFFSET within
# PostgreSQL's bigint, which ?page=99999999999999999999 overflowed (a 500).
MAX_PAGE = 1_000_000
# CLINICAL.md section 5 (M5): the 7-day window T-6..T against the 28 days before, T-34..T-7.
RECENT_DAYS = 7
BASELINE_DAYS = 28
# "No check-in for 7 days" filter.
STALE_AFTER_DAYS = 7
# PHQ-9 >= 15 is "moderately severe" or worse (Kroenke 2001, CLINICAL.md section 5).
PHQ9_FILTER_THRESHOLD = 15
# Longest washout in the catalog (fluoxetine, 35 days) and the black-box window (84 days):
# a stopped course older than this cannot change today's assessment.
COURSE_LOOKBACK_DAYS = 90
SPARKLINE_DAYS = 28
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
SEVERITY_BY_RANK = {4: "critical", 3: "high", 2: "moderate", 1: "low"}

FILTERS = {
    "alerts": "Has open alerts",
    "stale": f"No check-in for {STALE_AFTER_DAYS} days",
    "phq9": f"PHQ-9 {PHQ9_FILTER_THRESHOLD} or more",
}


def clinic_today() -> date:
    return timezone.localdate()


def drug_facts(drug) -> DrugFacts:
    return DrugFacts(
        name=drug.name,
        serotonergic=drug.serotonergic,
        washout_days=drug.washout_days,
        suicidality_warning=drug.suicidality_warning or "",
    )


def course_facts(course: MedicationCourse) -> CourseFacts:
    """`course.drug` must be select_related."""
    return CourseFacts(
        name=course.name,
        drug=drug_facts(course.drug) if course.drug_id else None,
        started_on=course.started_on,
        stopped_on=course.stopped_on,
    )


def _entry_avg(field_name: str, start: date, end: date) -> Subquery:
    rows = (
        DailyEntry.objects.filter(patient=OuterRef("pk"), date__gte=start, date__lte=end)
        .order_by()
        .values("patient")
        .annotate(value=Avg(field_name))
        .values("value")
    )
    return Subquery(rows, output_field=FloatField())


def _latest_phq9() -> QuerySet:
    return QuestionnaireResponse.objects.filter(
        patient=OuterRef("pk"), instrument=Instrument.PHQ9
    ).order_by("-completed_at", "-id")


def triage_figures_queryset(user, *, today: date) -> QuerySet:
    """Visible patients with the figures PatientTriage stores, computed from the journal."""
    recent_start = today - timedelta(days=RECENT_DAYS - 1)
    baseline_end = today - timedelta(days=RECENT_DAYS)
    baseline_start = baseline_end - timedelta(days=BASELINE_DAYS - 1)
    return patients_visible_to(user).annotate(
        last_entry=Subquery(
            DailyEntry.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
        ),
        mood_7=_entry_avg("mood", recent_start, today),
        pain_7=_entry_avg("pain", recent_start, today),
        mood_28=_entry_avg("mood", baseline_start, baseline_end),
        pain_28=_entry_avg("pain", baseline_start, baseline_end),
        phq9_total=_phq9_total(),
    )


def _phq9_total() -> Subquery:
    return Subquery(
        _latest_phq9()
        .annotate(total=Cast(KeyTextTransform("total", "score"), IntegerField()))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def summary_queryset(user, *, today: date) -> QuerySet:
    """Visible patients with every figure of a dashboard row (one SQL statement).

    Means and the last check-in come from PatientTriage: call refresh_triage first. Alerts and
    the latest PHQ-9 are read live.
    """
    unresolved = Alert.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED).order_by()
    latest_phq9 = _latest_phq9()
    return (
        patients_visible_to(user)
        .select_related("patient_profile")
        .annotate(
            open_alerts=Coalesce(
                Subquery(
                    unresolved.values("patient").annotate(n=Count("id")).values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            alert_rank=Coalesce(
                Subquery(
                    unresolved.values("patient").annotate(m=Max("severity_rank")).values("m"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            last_entry=F("triage__last_entry"),
            mood_7=F("triage__mood_7"),
            pain_7=F("triage__pain_7"),
            mood_28=F("triage__mood_28"),
            pain_28=F("triage__pain_28"),
            phq9_total=_phq9_total(),
            phq9_band=Subquery(
                latest_phq9.annotate(band=KeyTextTransform("band", "score")).values("band")[:1]
            ),
            phq9_at=Subquery(latest_phq9.values("completed_at")[:1]),
        )
    )


@dataclass
class DashboardQuery:
    filters: tuple[str, ...] = ()
    search: str = ""
    page: int = 1
    messages: list[str] = field(default_factory=list)


def parse_dashboard_query(params) -> DashboardQuery:
    """Read filters from GET parameters. Garbage values are ignored with a message, never a 500."""
    query = DashboardQuery()
    chosen = []
    for value in params.getlist("filter"):
        if value in FILTERS:
            if value not in chosen:
                chosen.append(value)
        else:
            query.messages.append(f"Unknown filter “{value[:40]}” was ignored.")
    for name in FILTERS:  # checkbox form: ?alerts=1
        flag = params.get(name)
        if flag is None:
            continue
        if flag in ("1", "on", "true", "yes"):
            if name not in chosen:
                chosen.append(name)
        elif flag not in ("0", "off", "false", "no", ""):
            query.messages.append(f"The value “{flag[:40]}” for “{name}” was ignored.")
    query.filters = tuple(chosen)
    query.search = (params.get("q") or "").strip()[:100]
    page = params.get("page") or "1"
    try:
        query.page = min(int(page), MAX_PAGE)
        if query.page < 1:
            raise ValueError
    except ValueError:
        query.messages.append(f"Page “{page[:20]}” does not exist; showing the first page.")
        query.page = 1
    return query


TRIAGE_FIGURES = ("last_entry", "mood_7", "pain_7", "mood_28", "pain_28", "phq9_total")


def _worsening(row: dict) -> float:
    """Mood down (10 best) plus pain up (10 worst) against the 28-day baseline."""
    total = 0.0
    if row["mood_7"] is not None and row["mood_28"] is not None:
        total += row["mood_28"] - row["mood_7"]
    if row["pain_7"] is not None and row["pain_28"] is not None:
        total += row["pain_7"] - row["pain_28"]
    return total


def refresh_triage(user, *, today: date, patient_ids=None) -> int:
    """Recompute the PatientTriage rows of `user`'s patients that are missing or stale.

    One cheap query when everything is fresh; two more (figures, upsert) when some were stale.
    """
    stale = (
        Q(triage__isnull=True)
        | ~Q(triage__as_of=today)
        | Q(patient_profile__data_changed_at__gt=F("triage__source_changed_at"))
        | Q(patient_profile__data_changed_at__isnull=False, triage__source_changed_at__isnull=True)
    )
    visible = patients_visible_to(user)
    if patient_ids is not None:
        visible = visible.filter(pk__in=patient_ids)
    changed_at = dict(
        visible.filter(stale).order_by().values_list("id", "patient_profile__data_changed_at")
    )
    if not changed_at:
        return 0
    rows = (
        triage_figures_queryset(user, today=today)
        .filter(pk__in=list(changed_at))
        .order_by()
        .values("id", *TRIAGE_FIGURES)
    )
    PatientTriage.objects.bulk_create(
        [
            PatientTriage(
                patient_id=row["id"],
                as_of=today,
                source_changed_at=changed_at[row["id"]],
                worsening=_worsening(row),
                **{name: row[name] for name in TRIAGE_FIGURES},
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["as_of", "source_changed_at", "worsening", *TRIAGE_FIGURES],
    )
    return len(changed_at)


def _triage_order_sql(user, query: DashboardQuery, *, today: date):
    """The triage ordering as SQL over a derived table (one row per visible patient).

    Ordering and filters read the denormalised PatientTriage columns plus the live open-alert
    rank; wrapping it as a derived table computes the rank once per patient, and
    COUNT(*) OVER () gives the total in the same statement.
    """
    inner = patients_visible_to(user).annotate(
        alert_rank=Coalesce(
            Subquery(
                Alert.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED)
                .order_by()
                .values("patient")
                .annotate(m=Max("severity_rank"))
                .values("m"),
                output_field=IntegerField(),
            ),
            0,
        )
    )
    if query.search:
        inner = inner.filter(
            Q(full_name__icontains=query.search) | Q(email__icontains=query.search)
        )
    sql, params = (
        inner.order_by()
        .values(
            "id",
            "full_name",
            "alert_rank",
            t_worsening=F("triage__worsening"),
            t_last_entry=F("triage__last_entry"),
            t_phq9=F("triage__phq9_total"),
        )
        .query.sql_with_params()
    )
    params = list(params)
    where = []
    if "alerts" in query.filters:
        where.append("t.alert_rank > 0")
    if "stale" in query.filters:
        where.append("(t.t_last_entry IS NULL OR t.t_last_entry <= %s)")
        params.append(today - timedelta(days=STALE_AFTER_DAYS))
    if "phq9" in query.filters:
        where.append("t.t_phq9 >= %s")
        params.append(PHQ9_FILTER_THRESHOLD)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    outer = (
        f"SELECT t.id, COUNT(*) OVER () FROM ({sql}) t {where_sql} "  # noqa: S608 - no user text
        "ORDER BY t.alert_rank DESC, COALESCE(t.t_worsening, 0) DESC, LOWER(t.full_name), t.id "
        "LIMIT %s OFFSET %s"
    )
    return outer, params


def triage_ids(user, query: DashboardQuery, *, today: date, offset: int, limit: int):
    """(patient ids of one page in triage order, total matching patients): one query."""
    try:
        sql, params = _triage_order_sql(user, query, today=today)
    except EmptyResultSet:  # the access gate answered .none()
        return [], None
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][1] if rows else None)


def summaries_for(user, ids, *, today: date) -> list:
    """Full summaries of these patients (already in triage order), one query."""
    by_id = {p.pk: p for p in summary_queryset(user, today=today).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


@dataclass
class PatientRow:
    patient: object
    open_alerts: int
    max_severity: str
    last_entry: date | None
    days_since_entry: int | None
    mood_7: float | None
    pain_7: float | None
    mood_change: float | None
    pain_change: float | None
    phq9_total: int | None
    phq9_band: str
    phq9_at: object
    interaction_severity: str
    interaction_drugs: list[list[str]]
    black_box_open: bool
    sparkline_mood: list[tuple[int, int]]
    sparkline_pain: list[tuple[int, int]]

    def as_api(self) -> dict:
        return {
            "id": self.patient.pk,
            "name": self.patient.display_name,
            "email": self.patient.email,
            "open_alerts": {"count": self.open_alerts, "max_severity": self.max_severity or None},
            "last_entry": {
                "date": self.last_entry.isoformat() if self.last_entry else None,
                "days_since": self.days_since_entry,
            },
            "means_7_days": {"pain": _r(self.pain_7), "mood": _r(self.mood_7)},
            "change_vs_previous_28_days": {
                "pain": _r(self.pain_change),
                "mood": _r(self.mood_change),
            },
            "latest_phq9": (
                {
                    "total": self.phq9_total,
                    "band": self.phq9_band,
                    "completed_at": self.phq9_at.isoformat() if self.phq9_at else None,
                }
                if self.phq9_total is not None
                else None
            ),
            "serotonergic": {
                "severity": self.interaction_severity,
                "findings": self.interaction_drugs,
            },
            "black_box_window_open": self.black_box_open,
        }


def _r(value):
    return None if value is None else round(value, 1)


def _diff(recent, baseline):
    if recent is None or baseline is None:
        return None
    return recent - baseline


def current_courses_by_patient(patient_ids, *, today: date) -> dict[int, list[CourseFacts]]:
    """Courses that can matter today for these patients, in one query."""
    since = today - timedelta(days=COURSE_LOOKBACK_DAYS)
    courses = (
        MedicationCourse.objects.filter(patient_id__in=patient_ids, started_on__lte=today)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gte=since))
        .select_related("drug")
        .order_by("patient_id", "started_on", "id")
    )
    grouped: dict[int, list[CourseFacts]] = defaultdict(list)
    for course in courses:
        grouped[course.patient_id].append(course_facts(course))
    return grouped


def sparklines_by_patient(patient_ids, *, today: date) -> dict[int, list[tuple[int, int, int]]]:
    """(day offset, mood, pain) for the last SPARKLINE_DAYS days, one query."""
    start = today - timedelta(days=SPARKLINE_DAYS - 1)
    rows = (
        DailyEntry.objects.filter(patient_id__in=patient_ids, date__gte=start, date__lte=today)
        .order_by("patient_id", "date")
        .values_list("patient_id", "date", "mood", "pain")
    )
    grouped: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for patient_id, day, mood, pain in rows:
        grouped[patient_id].append(((day - start).days, mood, pain))
    return grouped


def build_rows(patients, *, today: date) -> list[PatientRow]:
    ids = [p.pk for p in patients]
    courses = current_courses_by_patient(ids, today=today) if ids else {}
    lines = sparklines_by_patient(ids, today=today) if ids else {}
    rows = []
    for p in patients:
        facts = courses.get(p.pk, [])
        assessment = interactions.assess(facts, today)
        points = lines.get(p.pk, [])
        rows.append(
            PatientRow(
                patient=p,
                open_alerts=p.open_alerts,
                max_severity=SEVERITY_BY_RANK.get(p.alert_rank, ""),
                last_entry=p.last_entry,
                days_since_entry=(today - p.last_entry).days if p.last_entry else None,
                mood_7=p.mood_7,
                pain_7=p.pain_7,
                mood_change=_diff(p.mood_7, p.mood_28),
                pain_change=_diff(p.pain_7, p.pain_28),
                phq9_total=p.phq9_total,
                phq9_band=p.phq9_band or "",
                phq9_at=p.phq9_at,
                interaction_severity=assessment.severity,
                interaction_drugs=[list(f.drugs) for f in assessment.findings],
                black_box_open=interactions.black_box_window_open(facts, today),
                sparkline_mood=[(x, mood) for x, mood, _ in points],
                sparkline_pain=[(x, pain) for x, _, pain in points],
            )
        )
    return rows


@dataclass
class PageInfo:
    """The bits of Django's Page/Paginator the templates and the API use."""

    number: int
    num_pages: int
    count: int

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


@dataclass
class DashboardPage:
    rows: list[PatientRow]
    page: PageInfo
    query: DashboardQuery
    today: date

    @property
    def paginator(self) -> PageInfo:
        return self.page


def dashboard_page(user, query: DashboardQuery, *, today: date | None = None) -> DashboardPage:
    """One page of the triage: refresh check, order+count, page rows, courses, sparklines =
    5 queries (7 when some triage rows were stale)."""
    today = today or clinic_today()
    refresh_triage(user, today=today)
    number = query.page
    ids, total = triage_ids(
        user, query, today=today, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
    if total is None and number > 1:
        # Past the end: one more query to find the total, then show the last page.
        _, total = triage_ids(user, query, today=today, offset=0, limit=1)
        total = total or 0
        number = max(1, -(-total // PAGE_SIZE))
        query.messages.append(f"Page {query.page} does not exist; showing the last page.")
        ids, _ = triage_ids(
            user, query, today=today, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    total = total or 0
    patients = summaries_for(user, ids, today=today) if ids else []
    return DashboardPage(
        rows=build_rows(patients, today=today),
        page=PageInfo(number=number, num_pages=max(1, -(-total // PAGE_SIZE)), count=total),
        query=query,
        today=today,
    )


def patient_summary(user, patient_id: int, *, today: date | None = None) -> PatientRow | None:
    today = today or clinic_today()
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        return None
    refresh_triage(user, today=today, patient_ids=[patient_id])
    patient = summary_queryset(user, today=today).filter(pk=patient_id).first()
    if patient is None:
        return None
    return build_rows([patient], today=today)[0]


# --- Patient record -------------------------------------------------------------------------


RECORD_DEFAULT_DAYS = 180
RECORD_DAY_CHOICES = (30, 90, 180, 365)
RECORD_MIN_DAYS = 30


@dataclass
class PatientRecord:
    patient: object
    today: date
    start: date
    entries: list
    responses: list
    courses: list
    facts: list[CourseFacts]
    assessment: interactions.Assessment
    black_box_open: bool
    alerts: list
    open_alerts: list


def patient_record(patient, *, today: date | None = None, days: int | None = None):
    """Everything on the record page in a fixed number of queries (entries, responses,
    courses, alerts + events). Without `days`, the charts span the patient's data in the last
    RECORD_DEFAULT_DAYS days (at least RECORD_MIN_DAYS), so a new patient's month is readable."""
    today = today or clinic_today()
    start = today - timedelta(days=(days or RECORD_DEFAULT_DAYS) - 1)
    entries = list(
        DailyEntry.objects.filter(patient=patient, date__gte=start, date__lte=today)
        .order_by("date")
        .only("date", "pain", "fatigue", "sleep_quality", "cognition", "mood", "patient_id")
    )
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "id")
    )
    courses = list(
        MedicationCourse.objects.filter(patient=patient)
        .select_related("drug")
        .order_by("started_on", "id")
    )
    facts = [course_facts(c) for c in courses]
    if days is None:
        firsts = [entries[0].date] if entries else []
        firsts += [r.completed_at.date() for r in responses[:1] if r.completed_at.date() >= start]
        firsts += [c.started_on for c in courses if c.started_on >= start][:1]
        earliest = min(firsts, default=today)
        start = max(start, min(earliest, today - timedelta(days=RECORD_MIN_DAYS - 1)))
    alerts = list(
        Alert.objects.filter(patient=patient)
        .select_related("acknowledged_by", "resolved_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=AlertEvent.objects.select_related("actor").order_by("created_at", "id"),
            )
        )
        .order_by("-created_at", "-id")
    )
    return PatientRecord(
        patient=patient,
        today=today,
        start=start,
        entries=entries,
        responses=responses,
        courses=courses,
        facts=facts,
        assessment=interactions.assess(facts, today),
        black_box_open=interactions.black_box_window_open(facts, today),
        alerts=alerts,
        open_alerts=[a for a in alerts if a.status in UNRESOLVED],
    )


# --- Alert queue ------------------------------------------------------------------------------


def alert_queue(user, *, unresolved_only: bool = True) -> QuerySet[Alert]:
    """Unresolved alerts of the clinician's linked patients, most severe and oldest first."""
    alerts = Alert.objects.filter(patient__in=patients_visible_to(user).values("pk"))
    if unresolved_only:
        alerts = alerts.filter(status__in=UNRESOLVED)
    return (
        alerts.select_related("patient", "acknowledged_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=AlertEvent.objects.select_related("actor").order_by("created_at", "id"),
            )
        )
        .order_by("-severity_rank", "created_at", "id")
    )


def visible_alert(user, alert_id) -> Alert | None:
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        return None
    return (
        Alert.objects.filter(pk=pk, patient__in=patients_visible_to(user).values("pk"))
        .select_related("patient")
        .first()
    )
