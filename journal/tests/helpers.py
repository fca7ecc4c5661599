"""Small builders shared by the journal tests (drugs and courses: tests/builders.py)."""

VALID_ENTRY = {"pain": 6, "fatigue": 8, "sleep_quality": 3, "cognition": 7, "mood": 4}
PHQ9_MINIMAL = {"items": [0] * 9}
FIQR_VALID = {"function": [5] * 9, "overall": [5, 5], "symptoms": [5] * 10}
ACR_VALID = {
    "regions": ["neck", "shoulder_girdle_left", "upper_arm_right", "hip_left", "lower_leg_right"],
    "fatigue": 2,
    "waking_unrefreshed": 2,
    "cognitive": 1,
    "headaches": True,
    "lower_abdominal_pain": False,
    "depression": False,
    "duration_3_months": True,
}


def phq9_with(total: int = 0, item9: int = 0) -> dict:
    items = [0] * 8 + [item9]
    remaining = total - item9
    for index in range(8):
        items[index] = min(3, remaining)
        remaining -= items[index]
    return {"items": items}
