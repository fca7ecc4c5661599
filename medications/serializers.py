"""API shapes. Medication input is cleaned by medications.services.clean_course_values, the
cleaner the medicines page reaches through the same services (one place for the rules)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import CleanedInput
from core.errors import FieldErrors
from medications.interactions import MECHANISMS, SEVERITY_ORDER
from medications.models import Drug, Frequency, MedicationCourse, Unit
from medications.selectors import product_ingredients
from medications.services import EDITABLE_FIELDS, clean_course_values

MAX_CHECK_ITEMS = 100
FINDING_SEVERITIES = SEVERITY_ORDER[1:]  # a finding is never "none"


class DrugSerializer(serializers.ModelSerializer):
    class Meta:
        model = Drug
        fields = [
            "id",
            "name",
            "brand_names",
            "rxcui",
            "drug_class",
            "serotonergic",
            "washout_days",
            "suicidality_warning",
        ]
        read_only_fields = fields


class MedicationCourseSerializer(serializers.ModelSerializer):
    drug = serializers.CharField(source="name", help_text="The name as the patient typed it.")
    drug_id = serializers.IntegerField(
        allow_null=True, help_text="Catalog drug; null when the name is not recognised."
    )
    generic_name = serializers.CharField(source="drug.name", allow_null=True, default=None)
    serotonergic = serializers.CharField(source="drug.serotonergic", allow_null=True, default=None)
    dose = serializers.DecimalField(
        max_digits=10, decimal_places=3, coerce_to_string=False, allow_null=True
    )
    previous_course = serializers.IntegerField(source="previous_course_id", allow_null=True)
    ingredients = serializers.SerializerMethodField(
        help_text="For a combination product (Ultracet): the generic names of what it contains, "
        "each checked on its own; [] for a single drug or an unrecognised name."
    )
    # Blank when no dose was given; a plain string so the schema admits "" (fuzzing found it).
    unit = serializers.CharField(help_text='One of the units, or "" when no dose is recorded.')

    class Meta:
        model = MedicationCourse
        fields = [
            "id",
            "patient",
            "drug",
            "drug_id",
            "generic_name",
            "serotonergic",
            "dose",
            "unit",
            "frequency",
            "started_on",
            "stopped_on",
            "reason",
            "prescriber",
            "previous_course",
            "ingredients",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_ingredients(self, course: MedicationCourse) -> list[str]:
        # No query when the view prefetched drug__ingredients.
        return product_ingredients(course.drug)


class FindingSerializer(serializers.Serializer):
    drugs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Generic names; a combination product is named by its ingredients.",
    )
    severity = serializers.ChoiceField(
        choices=FINDING_SEVERITIES,
        help_text="minor: shown on pages (worth mentioning to a clinician), never an alert.",
    )
    mechanism = serializers.ChoiceField(
        choices=MECHANISMS,
        help_text="serotonergic (serotonin toxicity) or hypertensive (blood pressure).",
    )
    rule = serializers.CharField(help_text="Machine-readable name of the pair rule.")
    explanation = serializers.CharField(help_text="Clinician wording with its source.")
    patient_explanation = serializers.CharField(help_text="Plain words for the patient.")


class AssessmentSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=SEVERITY_ORDER)
    findings = FindingSerializer(many=True)
    unknown = serializers.ListField(
        child=serializers.CharField(), help_text="Names not in the catalog: cannot be checked."
    )
    counted = serializers.ListField(
        child=serializers.CharField(),
        help_text="Serotonergic drugs that count on the date (a product's ingredients each "
        "count). Drugs in a finding only through a blood-pressure class are not listed here.",
    )
    on = serializers.DateField(required=False)


class InteractionCheckResponseSerializer(AssessmentSerializer):
    suggestions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Unrecognised name -> catalog generic names it may be a misspelling of (Did "
        "you mean ...?); never resolved without the patient confirming. Names without one are "
        "left out.",
    )
    resolved = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Typed name -> the catalog generic names it resolved to; a combination "
        "product gives every ingredient.",
    )


class MedicationCourseWithAssessmentSerializer(MedicationCourseSerializer):
    assessment = AssessmentSerializer(help_text="The patient's combinations today, after this.")
    suggestions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="For a name saved as free text: {name: [generic names]} it may be a "
        'misspelling of. Confirm one with PATCH {"drug": "<generic>"}.',
    )

    class Meta(MedicationCourseSerializer.Meta):
        fields = [*MedicationCourseSerializer.Meta.fields, "assessment", "suggestions"]
        read_only_fields = fields


class MedicationCourseWriteSerializer(CleanedInput):
    # Needs context={"today": <the patient's today>}: dates are checked against it. Other keys
    # are ignored.

    drug = serializers.CharField(
        max_length=120, help_text="Generic or brand name, any case; unknown names kept as text."
    )
    dose = serializers.DecimalField(
        max_digits=10, decimal_places=3, required=False, allow_null=True, help_text="> 0"
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, allow_blank=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    started_on = serializers.DateField()
    stopped_on = serializers.DateField(
        required=False, allow_null=True, help_text="The last day taken."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    prescriber = serializers.CharField(required=False, allow_blank=True, max_length=120)

    def clean(self, values: dict) -> dict:
        raw = {field: values.get(field) for field in EDITABLE_FIELDS}
        cleaned = clean_course_values(raw, today=self.context["today"])
        cleaned["drug"] = cleaned.pop("name")  # the API's name for what the patient typed
        return cleaned


# Output fields a client may echo back in a PATCH; they are never written from input.
ECHOED_OUTPUT_FIELDS = frozenset(MedicationCourseWithAssessmentSerializer.Meta.fields) - frozenset(
    EDITABLE_FIELDS
)


class MedicationCourseUpdateSerializer(MedicationCourseWriteSerializer):
    # Only the shape is checked here: the values are cleaned merged with the stored course,
    # under its row lock, by services.medication_course_update (its FieldErrors answer 400
    # through core.api_errors). Output fields sent back are ignored.

    ignored_input = ECHOED_OUTPUT_FIELDS
    drug = serializers.CharField(max_length=120, required=False)
    started_on = serializers.DateField(required=False)

    def clean(self, values: dict) -> dict:
        unknown = sorted(set(values) - set(EDITABLE_FIELDS))
        if unknown:
            raise FieldErrors({field: ["This field cannot be changed."] for field in unknown})
        return values


class ChangeDoseSerializer(CleanedInput):
    # Checked against the course (its dates, the dose chain) by
    # services.medication_course_change_dose. Other keys are ignored.

    dose = serializers.DecimalField(max_digits=10, decimal_places=3, help_text="> 0")
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False)
    changed_on = serializers.DateField(
        required=False, help_text="First day at the new dose; defaults to today."
    )

    def clean(self, values: dict) -> dict:
        return {field: values.get(field) for field in ("dose", "unit", "frequency", "changed_on")}


class CheckMedicationSerializer(serializers.Serializer):
    drug = serializers.CharField(max_length=120)
    started_on = serializers.DateField(
        required=False, help_text="Defaults to `on` (taken on the date checked)."
    )
    stopped_on = serializers.DateField(
        required=False, allow_null=True, help_text="The last day taken."
    )

    def validate(self, attrs):
        started, stopped = attrs.get("started_on"), attrs.get("stopped_on")
        if started and stopped and stopped < started:
            raise serializers.ValidationError(
                {"stopped_on": ["The last day taken cannot be before the start date."]}
            )
        return attrs


class InteractionCheckSerializer(serializers.Serializer):
    drugs = serializers.ListField(
        child=serializers.CharField(max_length=120),
        required=False,
        allow_empty=True,
        max_length=MAX_CHECK_ITEMS,
        help_text='Names taken together now, e.g. ["sertraline", "Ultram"].',
    )
    # many=True makes a ListSerializer, which takes max_length (the stubs type the child).
    medications = CheckMedicationSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=MAX_CHECK_ITEMS, help_text="Courses with dates."
    )
    on = serializers.DateField(required=False, help_text="Date to assess; defaults to today.")

    def validate(self, attrs):
        has_drugs, has_courses = "drugs" in attrs, "medications" in attrs
        if has_drugs and has_courses:
            raise serializers.ValidationError(
                {"non_field_errors": ["Send either drugs or medications, not both."]}
            )
        if not has_drugs and not has_courses:
            raise serializers.ValidationError(
                {"drugs": ["Send drugs (a list of names) or medications (a list of courses)."]}
            )
        return attrs
