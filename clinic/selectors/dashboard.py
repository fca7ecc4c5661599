"""The clinician's triage dashboard (and the API's patient list), at a fixed number of queries.

Every read starts from accounts.access (`patients_visible_to`). The triage ordering and filters
are computed by PostgreSQL over the clinician's whole panel (the denormalised PatientTriage
columns plus the live open-alert rank), so a page costs the same queries with 20 or 500
patients; only the page's 25 rows load their details (clinic.selectors.rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import patients_visible_to
from accounts.models import User
from alerts.models import Alert, AlertStatus
from clinic.selectors.rows import PatientRow, build_rows
from clinic.services import refresh_triage
from clinic.triage import latest_phq9, phq9_total
from core.timezones import clinician_today
from journal.instruments import phq9

if TYPE_CHECKING:
    from clinic.selectors.rows import TriagedPatient

PAGE_SIZE = 25
# "No check-in for 7 days" filter.
STALE_AFTER_DAYS = 7
# PHQ-9 >= 15 is "moderately severe" or worse (Kroenke 2001, docs/clinical-rules.md#phq-9).
PHQ9_FILTER_THRESHOLD = phq9.MODERATELY_SEVERE_MIN
UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)

FILTERS = {
    "alerts": "Has open alerts",
    "stale": f"No check-in for {STALE_AFTER_DAYS} days",
    "phq9": f"PHQ-9 {PHQ9_FILTER_THRESHOLD} or more",
}


def clinic_today() -> date:
    """The viewer's today: the active zone, which the middleware sets to the clinician's own.
    Not for a patient's data (their dates are core.timezones.patient_today's)."""
    return timezone.localdate()


@dataclass
class DashboardQuery:
    """What the clinician asked for (clinic.forms.DashboardQueryForm reads it from the URL).

    `messages` tell the clinician what was ignored; dashboard_page adds to them.
    """

    filters: tuple[str, ...] = ()
    search: str = ""
    # accounts.access.SCOPES: all (""), "mine" (own links) or "team" (through a team).
    scope: str = ""
    page: int = 1
    messages: list[str] = field(default_factory=list)


def summary_queryset(user: User, *, today: date) -> QuerySet[TriagedPatient]:
    """Visible patients with every figure of a dashboard row (one SQL statement).

    Means and the last check-in come from PatientTriage: call refresh_triage first. Alerts and
    the latest PHQ-9 are read live.
    """
    unresolved = Alert.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED).order_by()
    latest = latest_phq9()
    # The annotations below are TriagedPatient's attributes; mypy cannot follow annotate().
    return cast(
        "QuerySet[TriagedPatient]",
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
            phq9_total=phq9_total(),
            phq9_band=Subquery(
                latest.annotate(band=KeyTextTransform("band", "score")).values("band")[:1]
            ),
            phq9_at=Subquery(latest.values("completed_at")[:1]),
        ),
    )


def _unread_sql(user: User) -> tuple[str, tuple[Any, ...]]:
    """alerts.selectors.unread_count as a scalar subquery (the navigation badge)."""
    return (
        Alert.objects.filter(patient__in=patients_visible_to(user), status=AlertStatus.OPEN)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
        .values("n")
        .query.sql_with_params()
    )


def _triage_order_sql(
    user: User, query: DashboardQuery, *, with_unread: bool = False
) -> tuple[str, list[Any]]:
    """The triage ordering as SQL over a derived table (one row per visible patient).

    Ordering and filters read the denormalised PatientTriage columns plus the live open-alert
    rank, over the patients of `query.scope`; wrapping it as a derived table computes the rank
    once per patient, and COUNT(*) OVER () gives the total in the same statement. `with_unread`
    adds a third column, the badge's unread count over the whole panel (a scalar subquery
    PostgreSQL runs once), so the page does not send a query of its own for the badge.
    """
    inner = patients_visible_to(user, scope=query.scope).annotate(
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
    sql, inner_params = (
        inner.order_by()
        .values(
            "id",
            "full_name",
            "alert_rank",
            t_worsening=F("triage__worsening"),
            t_last_entry=F("triage__last_entry"),
            t_as_of=F("triage__as_of"),
            t_phq9=F("triage__phq9_total"),
        )
        .query.sql_with_params()
    )
    unread_select = ""
    params: list[Any] = []
    if with_unread:
        unread_sql, unread_params = _unread_sql(user)
        unread_select = f", COALESCE(({unread_sql}), 0)"
        params.extend(unread_params)
    params.extend(inner_params)
    where = []
    if "alerts" in query.filters:
        where.append("t.alert_rank > 0")
    if "stale" in query.filters:
        # Counted from each patient's own today (the triage row's as_of, their local date).
        if connection.vendor == "sqlite":  # dates are ISO text there: date() does the sum
            where.append("(t.t_last_entry IS NULL OR t.t_last_entry <= date(t.t_as_of, %s))")
            params.append(f"-{STALE_AFTER_DAYS} days")
        else:
            where.append("(t.t_last_entry IS NULL OR t.t_last_entry <= t.t_as_of - %s)")
            params.append(STALE_AFTER_DAYS)
    if "phq9" in query.filters:
        where.append("t.t_phq9 >= %s")
        params.append(PHQ9_FILTER_THRESHOLD)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    outer = (
        f"SELECT t.id, COUNT(*) OVER (){unread_select} "  # noqa: S608 - no user text
        f"FROM ({sql}) t {where_sql} "
        "ORDER BY t.alert_rank DESC, COALESCE(t.t_worsening, 0) DESC, LOWER(t.full_name), t.id "
        "LIMIT %s OFFSET %s"
    )
    return outer, params


def triage_ids(
    user: User, query: DashboardQuery, *, offset: int, limit: int
) -> tuple[list[int], int | None]:
    """(patient ids of one page in triage order, total matching patients): one query."""
    ids, total, _ = _triage_page(user, query, offset=offset, limit=limit)
    return ids, total


def _triage_page(
    user: User,
    query: DashboardQuery,
    *,
    offset: int,
    limit: int,
    with_unread: bool = False,
) -> tuple[list[int], int | None, int | None]:
    """triage_ids plus, `with_unread`, the badge's unread count (None on an empty page)."""
    try:
        sql, params = _triage_order_sql(user, query, with_unread=with_unread)
    except EmptyResultSet:  # the access gate answered .none()
        return [], None, None
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    if not rows:
        return [], None, None
    return [row[0] for row in rows], rows[0][1], (rows[0][2] if with_unread else None)


def summaries_for(user: User, ids: Sequence[int], *, today: date) -> list[TriagedPatient]:
    """Full summaries of these patients (already in triage order), one query."""
    by_id = {p.pk: p for p in summary_queryset(user, today=today).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


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
    # alerts.selectors.unread_count, when dashboard_page was asked for it and the page has rows.
    unread_alerts: int | None = None

    @property
    def paginator(self) -> PageInfo:
        return self.page


def dashboard_page(
    user: User,
    query: DashboardQuery,
    *,
    now: datetime | None = None,
    today: date | None = None,
    with_unread: bool = False,
) -> DashboardPage:
    """One page of the triage: refresh check, order+count, page rows, courses, sparklines =
    5 queries (7 when some triage rows were stale). `with_unread`: the order+count query also
    counts the navigation badge (DashboardPage.unread_alerts).

    Each patient's figures, windows and "days since" count from the patient's own today (their
    local date at `now`); DashboardPage.today is the clinician's date. `today` pins one date
    for both (tests and benches).
    """
    now = now or timezone.now()
    clinician_day = today or clinician_today(user, now)
    refresh_triage(user, now=now, today=today)
    number = query.page
    ids, total, unread = _triage_page(
        user,
        query,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        with_unread=with_unread,
    )
    if total is None and number > 1:
        # Past the end: one more query to find the total, then show the last page.
        _, total = triage_ids(user, query, offset=0, limit=1)
        total = total or 0
        number = max(1, -(-total // PAGE_SIZE))
        query.messages.append(f"Page {query.page} does not exist; showing the last page.")
        ids, _ = triage_ids(user, query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    total = total or 0
    patients = summaries_for(user, ids, today=clinician_day) if ids else []
    return DashboardPage(
        rows=build_rows(patients, now=now, today=today),
        page=PageInfo(number=number, num_pages=max(1, -(-total // PAGE_SIZE)), count=total),
        query=query,
        today=clinician_day,
        unread_alerts=unread,
    )


def patient_summary(
    user: User, patient_id: int, *, now: datetime | None = None, today: date | None = None
) -> PatientRow | None:
    """One dashboard row (the patient's own dates, as dashboard_page)."""
    now = now or timezone.now()
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        return None
    refresh_triage(user, now=now, today=today, patient_ids=[patient_id])
    patient = (
        summary_queryset(user, today=today or clinician_today(user, now))
        .filter(pk=patient_id)
        .first()
    )
    if patient is None:
        return None
    return build_rows([patient], now=now, today=today)[0]
