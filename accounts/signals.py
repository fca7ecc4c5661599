"""Signals the accounts app declares (Django's `contrib/auth/signals.py` idiom).

The app that owns an event declares it; higher apps connect in `AppConfig.ready()`. Nothing
here imports a consumer, so the lower apps never depend on the higher ones.
"""

from django.dispatch import Signal

# Sent after the transaction that changed a patient's journal or medicines commits.
# Keyword argument: `patient_id` (int). Sender: `accounts.models.PatientProfile`.
# Receivers must not raise: the save already succeeded, and the marker below is the guarantee.
patient_data_changed = Signal()
