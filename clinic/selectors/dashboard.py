"""The clinician's triage dashboard (and the API's patient list), at a fixed number of queries.

Every read starts from accounts.access (`patients_visible_to`). The triage ordering and filters
are computed by PostgreSQL over the clinician's whole panel (the denormalised PatientTriage
columns plus the live open-alert rank), so a page costs the same queries with 20 or 500
patients; only the page's 25 rows load their details (clinic.selectors.rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import patients_visible_to
from accounts.models import User
from alerts.models import Alert, AlertStatus
from clinic.selectors.rows import PatientRow, build_rows
from clinic.services import refresh_triage, stale_triage
from clinic.triage import TRIAGE_FIGURES
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

    Means, the last check-in and the latest PHQ-9 come from PatientTriage: call refresh_triage
    first. Alerts are read live.
    """
    unresolved = Alert.objects.filter(patient=OuterRef("pk"), status__in=UNRESOLVED).order_by()
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
            phq9_total=F("triage__phq9_total"),
            phq9_band=F("triage__phq9_band"),
            phq9_at=F("triage__phq9_at"),
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
    user: User, query: DashboardQuery, *, with_unread: bool = False, stale: Q | None = None
) -> tuple[str, list[Any]]:
    """The triage ordering as SQL over the visible patients (one row per patient).

    `t` (a CTE) is the patients of `query.scope` matching the search, with their denormalised
    PatientTriage columns; `r` is the worst unresolved alert and the number of unresolved alerts
    of each of them, one grouped scan of their alerts joined back (a correlated subquery per
    patient cost 18 ms at 500 patients). Columns: id, the total (COUNT(*) OVER ()), the alert
    rank, the unresolved alerts, the number of the matching patients whose triage row is stale
    under `stale` (clinic.services.stale_triage; 0 without it), and with `with_unread` a sixth
    column, the badge's unread count over the whole panel (a scalar subquery PostgreSQL runs
    once), so the page does not send a query of its own for the badge.
    """
    inner = patients_visible_to(user, scope=query.scope)
    if query.search:
        inner = inner.filter(
            Q(full_name__icontains=query.search) | Q(email__icontains=query.search)
        )
    if stale is not None:
        inner = inner.annotate(
            t_stale=Case(When(stale, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    sql, inner_params = (
        inner.order_by()
        .values(
            "id",
            "full_name",
            *(["t_stale"] if stale is not None else []),
            t_worsening=F("triage__worsening"),
            t_last_entry=F("triage__last_entry"),
            t_as_of=F("triage__as_of"),
            t_phq9=F("triage__phq9_total"),
        )
        .query.sql_with_params()
    )
    params: list[Any] = list(inner_params)
    unread_select = ""
    if with_unread:
        unread_sql, unread_params = _unread_sql(user)
        unread_select = f", COALESCE(({unread_sql}), 0)"
        params.extend(unread_params)
    alerts = connection.ops.quote_name(Alert._meta.db_table)
    unresolved = ", ".join(["%s"] * len(UNRESOLVED))
    params.extend(UNRESOLVED)
    where = []
    if "alerts" in query.filters:
        where.append("COALESCE(r.alert_rank, 0) > 0")
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
        f"WITH t AS ({sql}) "  # noqa: S608 - no user text: the search is a parameter
        "SELECT t.id, COUNT(*) OVER (), COALESCE(r.alert_rank, 0), COALESCE(r.open_alerts, 0), "
        f"{'SUM(t.t_stale) OVER ()' if stale is not None else '0'}{unread_select} FROM t "
        "LEFT JOIN (SELECT a.patient_id AS patient_id, MAX(a.severity_rank) AS alert_rank, "
        "COUNT(*) AS open_alerts "
        f"FROM {alerts} a WHERE a.status IN ({unresolved}) AND a.patient_id IN (SELECT id FROM t) "
        "GROUP BY a.patient_id) r ON r.patient_id = t.id "
        f"{where_sql} "
        "ORDER BY COALESCE(r.alert_rank, 0) DESC, COALESCE(t.t_worsening, 0) DESC, "
        "LOWER(t.full_name), t.id "
        "LIMIT %s OFFSET %s"
    )
    return outer, params


def triage_ids(
    user: User, query: DashboardQuery, *, offset: int, limit: int
) -> tuple[list[int], int | None]:
    """(patient ids of one page in triage order, total matching patients): one query."""
    page = _triage_page(user, query, offset=offset, limit=limit)
    return page.ids, page.total


@dataclass
class _TriagePage:
    ids: list[int] = field(default_factory=list)
    total: int | None = None
    unread: int | None = None
    # patient id -> (worst unresolved alert's severity rank, unresolved alerts)
    alerts: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Matching patients whose PatientTriage row is stale (when the query was asked to count).
    stale: int = 0


def _triage_page(
    user: User,
    query: DashboardQuery,
    *,
    offset: int,
    limit: int,
    with_unread: bool = False,
    stale: Q | None = None,
    compiled: tuple[str, list[Any]] | None = None,
) -> _TriagePage:
    """One page of the triage order with each patient's alert figures; `with_unread` also
    the badge's unread count (None on an empty page), `stale` the stale triage rows.
    `compiled`: the statement _triage_order_sql gave for the same arguments, to run it again
    (after a refresh) without compiling it again."""
    try:
        sql, params = compiled or _triage_order_sql(
            user, query, with_unread=with_unread, stale=stale
        )
    except EmptyResultSet:  # the access gate answered .none()
        return _TriagePage()
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    if not rows:
        return _TriagePage()
    return _TriagePage(
        ids=[row[0] for row in rows],
        total=rows[0][1],
        unread=rows[0][5] if with_unread else None,
        alerts={row[0]: (int(row[2]), int(row[3])) for row in rows},
        stale=int(rows[0][4] or 0),
    )


def summaries_for(
    user: User, ids: Sequence[int], *, alerts: dict[int, tuple[int, int]]
) -> list[TriagedPatient]:
    """These patients (already in triage order) with every figure of a dashboard row, in one
    query: the figures are their PatientTriage rows (fresh: dashboard_page refreshed the stale
    ones the triage query counted) and `alerts`
    (patient id -> (alert rank, unresolved alerts), from the triage query)."""
    patients = (
        patients_visible_to(user).filter(pk__in=ids).select_related("patient_profile", "triage")
    )
    by_id: dict[int, TriagedPatient] = {}
    for patient in cast("Iterable[TriagedPatient]", patients):
        triage = getattr(patient, "triage", None)
        for name in TRIAGE_FIGURES:
            setattr(patient, name, getattr(triage, name) if triage is not None else None)
        patient.alert_rank, patient.open_alerts = alerts.get(patient.pk, (0, 0))
        by_id[patient.pk] = patient
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
    """One page of the triage: order+count (which also counts stale triage rows), page rows,
    courses, ingredients, sparklines = 5 queries; when some matching triage rows were stale,
    refresh_triage's 3 and the order+count again. `with_unread`: the order+count query also
    counts the navigation badge (DashboardPage.unread_alerts).

    Each patient's figures, windows and "days since" count from the patient's own today (their
    local date at `now`); DashboardPage.today is the clinician's date. `today` pins one date
    for both (tests and benches).
    """
    now = now or timezone.now()
    clinician_day = today or clinician_today(user, now)
    number = query.page

    stale = stale_triage(now=now, today=today)
    try:
        compiled = _triage_order_sql(user, query, with_unread=with_unread, stale=stale)
    except EmptyResultSet:  # the access gate answered .none()
        compiled = None

    def page_of_triage() -> _TriagePage:
        if compiled is None:
            return _TriagePage()
        return _triage_page(
            user,
            query,
            offset=(number - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            with_unread=with_unread,
            stale=stale,
            compiled=compiled,
        )

    triage = page_of_triage()
    if triage.stale:
        # Some rows the order reads are out of date: recompute them, then order again (the
        # same statement: it reads the rows when it runs).
        refresh_triage(user, now=now, today=today)
        triage = page_of_triage()
    unread = triage.unread
    if triage.total is None and number > 1:
        # Past the end: one more query to find the total, then show the last page.
        refresh_triage(user, now=now, today=today)
        _, last_total = triage_ids(user, query, offset=0, limit=1)
        number = max(1, -(-(last_total or 0) // PAGE_SIZE))
        query.messages.append(f"Page {query.page} does not exist; showing the last page.")
        triage = _triage_page(user, query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        triage.total = last_total
    total = triage.total or 0
    patients = summaries_for(user, triage.ids, alerts=triage.alerts) if triage.ids else []
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
