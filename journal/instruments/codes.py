"""Codes shared by the check-in, the questionnaires and the alert rules.

WPI regions: ACR 2016 fibromyalgia criteria (Wolfe et al., Semin Arthritis Rheum 2016),
docs/clinical-rules.md#acr-2016-criteria. Serotonin toxicity symptoms: FDA Drug Safety
Communication 2016-03-22 patient list and Sternbach's features,
docs/clinical-rules.md#serotonin-toxicity-symptoms.
"""

# The five regions of the ACR 2016 generalized-pain criterion, each with its WPI sites.
WPI_REGION_GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "left_upper",
        "Left upper region",
        (
            ("jaw_left", "Left jaw"),
            ("shoulder_girdle_left", "Left shoulder"),
            ("upper_arm_left", "Left upper arm"),
            ("lower_arm_left", "Left lower arm"),
        ),
    ),
    (
        "right_upper",
        "Right upper region",
        (
            ("jaw_right", "Right jaw"),
            ("shoulder_girdle_right", "Right shoulder"),
            ("upper_arm_right", "Right upper arm"),
            ("lower_arm_right", "Right lower arm"),
        ),
    ),
    (
        "left_lower",
        "Left lower region",
        (
            ("hip_left", "Left hip or buttock"),
            ("upper_leg_left", "Left upper leg"),
            ("lower_leg_left", "Left lower leg"),
        ),
    ),
    (
        "right_lower",
        "Right lower region",
        (
            ("hip_right", "Right hip or buttock"),
            ("upper_leg_right", "Right upper leg"),
            ("lower_leg_right", "Right lower leg"),
        ),
    ),
    (
        "axial",
        "Axial region (neck, back, chest, belly)",
        (
            ("neck", "Neck"),
            ("upper_back", "Upper back"),
            ("lower_back", "Lower back"),
            ("chest", "Chest"),
            ("abdomen", "Abdomen (belly)"),
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
    "agitation": "Feeling agitated or restless",
    "sweating": "Heavy sweating",
    "shivering": "Shivering",
    "muscle_twitching": "Muscle twitching or jerking",
    "tremor": "Shaking (tremor)",
    "diarrhea": "Diarrhea",
    "fever": "Fever",
    "fast_heartbeat": "Fast heartbeat",
    "confusion": "Confusion",
}
SEROTONIN_SYMPTOMS: tuple[str, ...] = tuple(SEROTONIN_SYMPTOM_LABELS)
