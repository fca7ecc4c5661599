"""Codes shared by the check-in, the questionnaires and the alert rules.

WPI regions: ACR 2016 fibromyalgia criteria (Wolfe et al., Semin Arthritis Rheum 2016),
docs/clinical-rules.md#acr-2016-criteria. Serotonin toxicity symptoms: FDA Drug Safety
Communication 2016-03-22 patient list and Sternbach's features,
docs/clinical-rules.md#serotonin-toxicity-symptoms.
"""

from django.utils.translation import gettext_noop

# The five regions of the ACR 2016 generalized-pain criterion, each with its WPI sites.
WPI_REGION_GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "left_upper",
        gettext_noop("Left upper region"),
        (
            ("jaw_left", gettext_noop("Left jaw")),
            ("shoulder_girdle_left", gettext_noop("Left shoulder")),
            ("upper_arm_left", gettext_noop("Left upper arm")),
            ("lower_arm_left", gettext_noop("Left lower arm")),
        ),
    ),
    (
        "right_upper",
        gettext_noop("Right upper region"),
        (
            ("jaw_right", gettext_noop("Right jaw")),
            ("shoulder_girdle_right", gettext_noop("Right shoulder")),
            ("upper_arm_right", gettext_noop("Right upper arm")),
            ("lower_arm_right", gettext_noop("Right lower arm")),
        ),
    ),
    (
        "left_lower",
        gettext_noop("Left lower region"),
        (
            ("hip_left", gettext_noop("Left hip or buttock")),
            ("upper_leg_left", gettext_noop("Left upper leg")),
            ("lower_leg_left", gettext_noop("Left lower leg")),
        ),
    ),
    (
        "right_lower",
        gettext_noop("Right lower region"),
        (
            ("hip_right", gettext_noop("Right hip or buttock")),
            ("upper_leg_right", gettext_noop("Right upper leg")),
            ("lower_leg_right", gettext_noop("Right lower leg")),
        ),
    ),
    (
        "axial",
        gettext_noop("Axial region (neck, back, chest, belly)"),
        (
            ("neck", gettext_noop("Neck")),
            ("upper_back", gettext_noop("Upper back")),
            ("lower_back", gettext_noop("Lower back")),
            ("chest", gettext_noop("Chest")),
            ("abdomen", gettext_noop("Abdomen (belly)")),
        ),
    ),
)

WPI_REGIONS: tuple[str, ...] = tuple(code for _, _, sites in WPI_REGION_GROUPS for code, _ in sites)
WPI_REGION_LABELS: dict[str, str] = {
    code: label for _, _, sites in WPI_REGION_GROUPS for code, label in sites
}
# Which of the five regions each WPI site belongs to.
WPI_REGION_GROUP_OF: dict[str, str] = {
    code: group for group, _, sites in WPI_REGION_GROUPS for code, _ in sites
}
# ACR 2016: "jaw, chest and abdominal pain are not included in generalized pain definition".
NOT_COUNTED_FOR_GENERALIZED_PAIN: frozenset[str] = frozenset(
    {"jaw_left", "jaw_right", "chest", "abdomen"}
)

SEROTONIN_SYMPTOM_LABELS: dict[str, str] = {
    "agitation": gettext_noop("Feeling agitated or restless"),
    "sweating": gettext_noop("Heavy sweating"),
    "shivering": gettext_noop("Shivering"),
    "muscle_twitching": gettext_noop("Muscle twitching or jerking"),
    "tremor": gettext_noop("Shaking (tremor)"),
    "diarrhea": gettext_noop("Diarrhea"),
    "fever": gettext_noop("Fever"),
    "fast_heartbeat": gettext_noop("Fast heartbeat"),
    "confusion": gettext_noop("Confusion"),
}
SEROTONIN_SYMPTOMS: tuple[str, ...] = tuple(SEROTONIN_SYMPTOM_LABELS)
