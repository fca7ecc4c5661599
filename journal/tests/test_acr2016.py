import pytest

from journal.instruments import InstrumentError, acr2016
from journal.instruments.codes import WPI_REGION_GROUPS, WPI_REGIONS

# One non-excluded site in each of the five regions.
ONE_PER_REGION = ["shoulder_girdle_left", "upper_arm_right", "hip_left", "lower_leg_right", "neck"]


def answers(
    regions,
    *,
    fatigue=0,
    waking=0,
    cognitive=0,
    headaches=False,
    abdominal=False,
    depression=False,
    duration=True,
):
    return {
        "regions": regions,
        "fatigue": fatigue,
        "waking_unrefreshed": waking,
        "cognitive": cognitive,
        "headaches": headaches,
        "lower_abdominal_pain": abdominal,
        "depression": depression,
        "duration_3_months": duration,
    }


def test_codes_match_the_five_regions_of_the_acr_2016_criteria():
    assert len(WPI_REGIONS) == 19 == len(set(WPI_REGIONS))
    groups = {group: [code for code, _ in sites] for group, _, sites in WPI_REGION_GROUPS}
    assert groups == {
        "left_upper": ["jaw_left", "shoulder_girdle_left", "upper_arm_left", "lower_arm_left"],
        "right_upper": ["jaw_right", "shoulder_girdle_right", "upper_arm_right", "lower_arm_right"],
        "left_lower": ["hip_left", "upper_leg_left", "lower_leg_left"],
        "right_lower": ["hip_right", "upper_leg_right", "lower_leg_right"],
        "axial": ["neck", "upper_back", "lower_back", "chest", "abdomen"],
    }


@pytest.mark.parametrize(
    ("kwargs", "sss"),
    [
        ({}, 0),
        ({"fatigue": 3, "waking": 3, "cognitive": 3}, 9),
        ({"fatigue": 3, "waking": 3, "cognitive": 3, "headaches": True}, 10),
        (
            {
                "fatigue": 3,
                "waking": 3,
                "cognitive": 3,
                "headaches": True,
                "abdominal": True,
                "depression": True,
            },
            12,
        ),
        ({"depression": True}, 1),
        ({"headaches": 1, "abdominal": 0}, 1),  # 0/1 accepted as no/yes
    ],
)
def test_it_sums_the_symptom_severity_scale(kwargs, sss):
    result = acr2016.score(answers([], **kwargs))
    assert result["sss"] == sss
    assert result["psd"] == sss


@pytest.mark.parametrize(
    ("regions", "generalized"),
    [
        (ONE_PER_REGION, True),
        (ONE_PER_REGION[:4], True),
        (ONE_PER_REGION[1:], True),
        (ONE_PER_REGION[:3], False),
        # jaw, chest and abdomen never make a region count
        (["jaw_left", "jaw_right", "chest", "abdomen", "hip_left", "hip_right"], False),
        (["jaw_left", "jaw_right", "chest", "abdomen", "hip_left", "hip_right", "neck"], False),
        (["jaw_left", "jaw_right", "hip_left", "hip_right", "upper_back"], False),
        (["shoulder_girdle_left", "jaw_right", "hip_left", "hip_right", "lower_back"], True),
        # many sites in only three regions
        (
            [
                "hip_left",
                "upper_leg_left",
                "lower_leg_left",
                "hip_right",
                "upper_leg_right",
                "lower_leg_right",
                "neck",
                "upper_back",
                "lower_back",
                "chest",
                "abdomen",
            ],
            False,
        ),
        (list(WPI_REGIONS), True),
        ([], False),
    ],
)
def test_it_decides_generalized_pain(regions, generalized):
    result = acr2016.score(answers(regions))
    assert result["generalized_pain"] is generalized
    assert result["wpi"] == len(regions)


# Sites that keep generalized pain with a chosen WPI: five regions first, then extra sites.
EXTRA_SITES = [code for code in WPI_REGIONS if code not in ONE_PER_REGION]


def regions_with_wpi(wpi: int) -> list[str]:
    if wpi <= 5:
        return ONE_PER_REGION[:wpi]
    return ONE_PER_REGION + EXTRA_SITES[: wpi - 5]


def sss_kwargs(sss: int) -> dict:
    """Symptom answers that add up to the given SSS (0-12)."""
    kwargs = {}
    remaining = sss
    for key in ("fatigue", "waking", "cognitive"):
        kwargs[key] = min(3, remaining)
        remaining -= kwargs[key]
    for key in ("headaches", "abdominal", "depression"):
        kwargs[key] = remaining > 0
        remaining -= 1 if remaining > 0 else 0
    return kwargs


@pytest.mark.parametrize(
    ("wpi", "sss", "duration", "meets"),
    [
        # WPI >= 7 needs SSS >= 5
        (7, 5, True, True),
        (7, 4, True, False),
        (19, 5, True, True),
        (19, 4, True, False),
        (8, 12, True, True),
        # 4 <= WPI <= 6 needs SSS >= 9
        (6, 9, True, True),
        (6, 8, True, False),
        (4, 9, True, True),
        (4, 8, True, False),
        (5, 12, True, True),
        # WPI below 4 never
        (3, 12, True, False),
        (0, 12, True, False),
        # symptoms for less than 3 months never
        (7, 12, False, False),
        (19, 12, False, False),
        (4, 9, False, False),
    ],
)
def test_it_applies_the_criteria_at_every_edge(wpi, sss, duration, meets):
    result = acr2016.score(answers(regions_with_wpi(wpi), duration=duration, **sss_kwargs(sss)))
    assert (result["wpi"], result["sss"], result["psd"]) == (wpi, sss, wpi + sss)
    assert result["meets_criteria"] is meets


def test_it_needs_generalized_pain_even_with_high_scores():
    regions = [
        "hip_left",
        "upper_leg_left",
        "lower_leg_left",
        "hip_right",
        "upper_leg_right",
        "lower_leg_right",
        "neck",
        "upper_back",
        "lower_back",
        "chest",
        "abdomen",
    ]
    result = acr2016.score(answers(regions, **sss_kwargs(12)))
    assert result["wpi"] == 11
    assert result["generalized_pain"] is False
    assert result["meets_criteria"] is False


def test_it_returns_exactly_the_contract_keys():
    result = acr2016.score(answers(ONE_PER_REGION))
    assert set(result) == {"wpi", "sss", "psd", "generalized_pain", "meets_criteria"}


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (answers(["knee_left"]), "regions", "Unknown body region"),
        (answers(["neck", 3]), "regions", "Unknown body region"),
        (answers(["neck", "neck"]), "regions", "listed twice"),
        (answers("neck"), "regions", "list"),
        (answers(None), "regions", "required"),
        (answers([], fatigue=4), "fatigue", "from 0 to 3"),
        (answers([], waking=-1), "waking_unrefreshed", "from 0 to 3"),
        (answers([], cognitive=1.0), "cognitive", "whole number"),
        (answers([], cognitive="2"), "cognitive", "whole number"),
        (answers([], fatigue=True), "fatigue", "whole number"),
        (answers([], headaches="yes"), "headaches", "true or false"),
        (answers([], depression=2), "depression", "true or false"),
        (answers([], duration=None), "duration_3_months", "true or false"),
        ({k: v for k, v in answers([]).items() if k != "fatigue"}, "fatigue", "required"),
        (
            {k: v for k, v in answers([]).items() if k != "duration_3_months"},
            "duration_3_months",
            "required",
        ),
        ({**answers([]), "tender_points": 11}, "tender_points", "not part"),
        (["neck"], "answers", "object"),
    ],
)
def test_it_refuses_bad_answers(data, field, fragment):
    with pytest.raises(InstrumentError) as caught:
        acr2016.score(data)
    assert field in caught.value.errors
    assert any(fragment in message for message in caught.value.errors[field]), caught.value.errors
