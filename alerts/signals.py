"""Signals the alerts app declares for its own services.

`alerts.services` must not import `alerts.tasks` (the tasks import the services): the services
announce that notifications are due, and `alerts.dispatch` (connected in AlertsConfig.ready)
enqueues the tasks. Sent after commit only.
"""

from django.dispatch import Signal

# Keyword argument: `pairs`, a list of (alert_id, clinician_id). Receivers must not raise.
notifications_due = Signal()
