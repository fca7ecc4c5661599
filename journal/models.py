from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

SCALE = [MinValueValidator(0), MaxValueValidator(10)]


class DailyEntry(models.Model):
    """One check-in per patient per day. Scales 0-10; directions in the docs.

    See docs/clinical-rules.md#daily-check-in.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_entries"
    )
    date = models.DateField()
    pain = models.PositiveSmallIntegerField(validators=SCALE)  # 0 none - 10 worst
    fatigue = models.PositiveSmallIntegerField(validators=SCALE)  # 10 worst
    sleep_quality = models.PositiveSmallIntegerField(validators=SCALE)  # 10 best
    cognition = models.PositiveSmallIntegerField(validators=SCALE)  # brain fog, 10 worst
    mood = models.PositiveSmallIntegerField(validators=SCALE)  # 0 worst - 10 best
    pain_regions = models.JSONField(default=list, blank=True)
    serotonin_symptoms = models.JSONField(default=list, blank=True)
    self_harm_thoughts = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_entry_per_patient_day")
        ]
        ordering = ["-date"]
        verbose_name_plural = "daily entries"

    def __str__(self) -> str:
        return f"Entry {self.pk} ({self.date})"


class Instrument(models.TextChoices):
    PHQ9 = "phq9", "PHQ-9"
    FIQR = "fiqr", "FIQR"
    ACR2016 = "acr2016", "ACR 2016 criteria"


class QuestionnaireResponse(models.Model):
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    instrument = models.CharField(max_length=16, choices=Instrument.choices)
    answers = models.JSONField()
    score = models.JSONField()
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "instrument", "completed_at"])]
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"{self.instrument} response {self.pk}"
