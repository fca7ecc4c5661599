"""Signals the accounts app declares (Django's `contrib/auth/signals.py` idiom).

The app that owns an event declares it; higher apps connect in `AppConfig.ready()`. Nothing
here imports a consumer, so the lower apps never depend on the higher ones.
"""

from django.dispatch import Signal

# Sent after the transaction that changed a patient's journal or medicines commits.
# Keyword argument: `patient_id` (int). Sender: `accounts.models.PatientProfile`.
# Receivers must not raise: the save already succeeded, and the marker below is the guarantee.
patient_data_changed = Signal()

# Sent *inside* the transaction that deletes an item the patient entered by mistake (a check-in,
# a questionnaire, a medicine), so a receiver's writes (the alerts app notes the removal on the
# alerts based on it) commit or roll back with the deletion. A receiver that raises aborts the
# deletion. Keyword arguments: `patient_id` (int), `kind` (RemovedItemKind value), `item_date`
# (date), `refs` (evidence references of the item, e.g. ["entry:12"]), `course` (for a medicine:
# {"name": ..., "started_on": "YYYY-MM-DD"}; else None). Sender: `accounts.models.RemovedItem`.
patient_item_removed = Signal()
