from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop


class SerotonergicTier(models.TextChoices):
    MAOI = "maoi", "MAOI"
    MAOB = "maob", "MAO-B inhibitor"
    STRONG = "strong", "Strong"
    WEAK = "weak", "Weak"
    NONE = "none", "None"


class SuicidalityWarning(models.TextChoices):
    BOXED = "boxed", "Boxed warning"
    WARNING = "warning", "Warning"
    NONE = "", "None"


class Drug(models.Model):
    """A catalog entry (data, editable in the admin). See docs/clinical-rules.md#catalog-data."""

    name = models.CharField(max_length=120, unique=True)  # generic
    brand_names = models.JSONField(default=list, blank=True)
    rxcui = models.CharField(max_length=16, blank=True)
    rxcui_verified = models.BooleanField(default=False)
    drug_class = models.CharField(max_length=64, blank=True)
    serotonergic = models.CharField(
        max_length=8, choices=SerotonergicTier.choices, default=SerotonergicTier.NONE
    )
    washout_days = models.PositiveSmallIntegerField(default=0)
    suicidality_warning = models.CharField(
        max_length=8, choices=SuicidalityWarning.choices, blank=True, default=""
    )
    # Class codes the pair rules read (docs/clinical-rules.md#drug-classes): "ssri", "tca",
    # "maoi_antimicrobial", "hypertensive_with_maoi", ...
    # db_default: rows written by code that predates these columns (the first catalog data
    # migration replayed in a test, a raw INSERT) still get a valid row.
    classes = models.JSONField(default=list, db_default=[], blank=True)
    # A combination product (Ultracet) lists its ingredients; each one counts in the engine.
    ingredients = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="products"
    )
    # The published source of the tier and classes; a tier other than "none" needs one.
    source = models.CharField(max_length=300, blank=True, default="", db_default="")
    # Shown next to the drug where it matters (e.g. which selegiline a plain name resolves to).
    note = models.CharField(max_length=300, blank=True, default="", db_default="")
    # "|key|key|...|" of the normalised generic and brand names (medications.names), so that
    # an exact look-up and a prefix search are each one LIKE over ~100 rows.
    # Kept in step by medications.catalog.drug_search_keys (admin and data load).
    search_keys = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DrugAlias(models.Model):
    """An administrator's mapping of a name patients type to a catalog drug
    (docs/clinical-rules.md#name-resolution).

    `name` is the normalised key (medications.names.resolution_key), so "Ultracet 37.5 mg" and
    "ultracet" are one alias. Saving one links matching free-text courses to the drug
    (medications.aliases.drug_alias_apply)."""

    name = models.CharField(max_length=120, unique=True)
    drug = models.ForeignKey(Drug, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "drug aliases"

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    DAILY = "daily", gettext_noop("Once a day")
    TWICE_DAILY = "twice_daily", gettext_noop("Twice a day")
    THREE_TIMES_DAILY = "three_times_daily", gettext_noop("Three times a day")
    FOUR_TIMES_DAILY = "four_times_daily", gettext_noop("Four times a day")
    AT_BEDTIME = "at_bedtime", gettext_noop("At bedtime")
    WEEKLY = "weekly", gettext_noop("Once a week")
    AS_NEEDED = "as_needed", gettext_noop("As needed")
    ONCE = "once", gettext_noop("Once")
    OTHER = "other", gettext_noop("Other")


class Unit(models.TextChoices):
    MG = "mg", "mg"
    MCG = "mcg", "mcg"
    G = "g", "g"
    ML = "mL", "mL"
    IU = "IU", "IU"
    DROPS = "drops", "drops"
    TABLETS = "tablets", "tablets"
    CAPSULES = "capsules", "capsules"
    PATCH = "patch", "patch"
    PUFFS = "puffs", "puffs"
    UNITS = "units", "units"


class MedicationCourse(models.Model):
    """One stretch of taking one medicine at one dose.

    A dose change ends one course and starts the next.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="medication_courses"
    )
    drug = models.ForeignKey(
        Drug, null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    name = models.CharField(max_length=120)  # as the patient typed it
    dose = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    unit = models.CharField(max_length=16, choices=Unit.choices, blank=True)
    frequency = models.CharField(max_length=24, choices=Frequency.choices, default=Frequency.DAILY)
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)  # last day taken
    reason = models.CharField(max_length=200, blank=True)
    prescriber = models.CharField(max_length=120, blank=True)
    previous_course = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_course"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [models.Index(fields=["patient", "started_on"])]

    def __str__(self) -> str:
        return f"Course {self.pk}"
