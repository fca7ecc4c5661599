"""Alert writes, one module per concern (the names below are the app's public service API).

- `sync`: keep a patient's alerts in step with the rules (`sync_alerts(patient)`, the batch
  evaluation the sweeps run) and the reminder sweep for unacknowledged critical alerts;
- `workflow`: the clinicians' follow-up (acknowledge, notes, resolve);
- notifications are outbox rows, written by `alerts.outbox` in the same transactions.

Callers use `alerts.services.<name>` (tasks look names up here at call time, so a test can
replace one on this package).
"""

from alerts.models import EventKind
from alerts.outbox import clinicians_to_notify
from alerts.services.sync import (
    BATCH_SIZE,
    RESOLVED_MEMORY_DAYS,
    SyncResult,
    alerts_remind_unacknowledged,
    sync_alerts,
    sync_alerts_batch,
)
from alerts.services.workflow import (
    AlertWorkflowError,
    alert_acknowledge,
    alert_add_note,
    alert_assign,
    alert_resolve,
    alert_unassign,
    alerts_acknowledge,
)
from alerts.snapshots import age_on, load_snapshots

__all__ = [
    "AlertWorkflowError",
    "BATCH_SIZE",
    "RESOLVED_MEMORY_DAYS",
    "EventKind",
    "SyncResult",
    "age_on",
    "alert_acknowledge",
    "alert_add_note",
    "alert_assign",
    "alert_resolve",
    "alert_unassign",
    "alerts_acknowledge",
    "alerts_remind_unacknowledged",
    "clinicians_to_notify",
    "load_snapshots",
    "sync_alerts",
    "sync_alerts_batch",
]
