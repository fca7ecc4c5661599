from django.conf import settings
from django.db import models


class PatientTriage(models.Model):
    """Denormalised triage figures of one patient, used only to order and filter the dashboard.

    Measured (bench/bench_pages.py): computing the 7/28-day means for every patient of a
    500-patient panel on each request made the dashboard grow with the panel; this row lets
    PostgreSQL sort plain columns instead. It is refreshed on read when the day changes or when
    the patient's data changed after it was computed (PatientProfile.data_changed_at, stamped by
    every journal and medication write), so the figures a dashboard row shows (read from here
    right after that refresh) are those of the patient's data as it is now.
    """

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="triage",
    )
    # The patient's own local date the figures were computed for (core.timezones), and the
    # instant that day ends where the patient lives: the row is stale from then on.
    as_of = models.DateField()
    fresh_until = models.DateTimeField(null=True, blank=True)
    source_changed_at = models.DateTimeField(null=True, blank=True)
    last_entry = models.DateField(null=True, blank=True)
    mood_7 = models.FloatField(null=True, blank=True)
    pain_7 = models.FloatField(null=True, blank=True)
    mood_28 = models.FloatField(null=True, blank=True)
    pain_28 = models.FloatField(null=True, blank=True)
    worsening = models.FloatField(default=0.0)
    phq9_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # The rest of the latest PHQ-9 the dashboard row shows (band and when it was completed):
    # read with the other figures in the page's single triage query.
    phq9_band = models.CharField(max_length=32, blank=True, default="")
    phq9_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Triage of patient {self.patient_id} as of {self.as_of}"
