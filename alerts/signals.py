"""Signals the alerts app declares for its own services.

`alerts.services` must not import `alerts.tasks` (the tasks import the services): the services
announce that notifications are due, and `alerts.dispatch` (connected in AlertsConfig.ready)
enqueues the sender task. Sent after commit only.
"""

from django.dispatch import Signal

# Sent after commit when outbox rows were written (alerts.outbox). Receivers must not raise.
notifications_due = Signal()
