"""Reads of the clinician workspace, one module per page family:

- dashboard: the triage dashboard and the API's patient list (ordering, filters, paging);
- rows: one dashboard row per patient and the per-page reads that fill it;
- record: one patient's record page;
- alert_queue: the alert queue.

Every read starts from accounts.access. The one write they need (the denormalised triage
rows) is clinic.services.refresh_triage; reading the dashboard's GET parameters is
clinic.forms.DashboardQueryForm. The names below keep `from clinic.selectors import X` working.
"""

from clinic.selectors.alert_queue import (
    AlertQueueQuery,
    alert_queue,
    alert_queue_counts,
    queue_patients,
)
from clinic.selectors.dashboard import (
    FILTERS,
    PAGE_SIZE,
    PHQ9_FILTER_THRESHOLD,
    STALE_AFTER_DAYS,
    UNRESOLVED,
    DashboardPage,
    DashboardQuery,
    PageInfo,
    clinic_today,
    dashboard_page,
    patient_summary,
    summaries_for,
    summary_queryset,
    triage_ids,
)
from clinic.selectors.record import (
    RECORD_DAY_CHOICES,
    RECORD_DEFAULT_DAYS,
    RECORD_MIN_DAYS,
    PatientRecord,
    patient_record,
)
from clinic.selectors.rows import (
    COURSE_LOOKBACK_DAYS,
    SPARKLINE_DAYS,
    PatientRow,
    build_rows,
    current_courses_by_patient,
    sparklines_by_patient,
)

__all__ = [
    "AlertQueueQuery",
    "COURSE_LOOKBACK_DAYS",
    "FILTERS",
    "PAGE_SIZE",
    "PHQ9_FILTER_THRESHOLD",
    "RECORD_DAY_CHOICES",
    "RECORD_DEFAULT_DAYS",
    "RECORD_MIN_DAYS",
    "SPARKLINE_DAYS",
    "STALE_AFTER_DAYS",
    "UNRESOLVED",
    "DashboardPage",
    "DashboardQuery",
    "PageInfo",
    "PatientRecord",
    "PatientRow",
    "alert_queue",
    "alert_queue_counts",
    "build_rows",
    "clinic_today",
    "current_courses_by_patient",
    "dashboard_page",
    "patient_record",
    "patient_summary",
    "queue_patients",
    "sparklines_by_patient",
    "summaries_for",
    "summary_queryset",
    "triage_ids",
]
