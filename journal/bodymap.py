"""Shapes of the SVG body map (front and back) for the 19 WPI regions, each drawn once.

The front view is a mirror: the patient's right side is on the viewer's left. The back view is
not. Coordinates are in a 200 x 420 viewBox; the template draws them, the CSS colours them.
"""

from django.utils.translation import gettext_noop

from journal.instruments.codes import WPI_REGION_LABELS, WPI_REGIONS

# An SVG element: its tag and attributes.
Shape = dict[str, str | int]


def _rect(x: int, y: int, width: int, height: int, rx: int = 8) -> Shape:
    return {"tag": "rect", "x": x, "y": y, "width": width, "height": height, "rx": rx}


def _ellipse(cx: int, cy: int, rx: int, ry: int) -> Shape:
    return {"tag": "ellipse", "cx": cx, "cy": cy, "rx": rx, "ry": ry}


FRONT_SHAPES = {
    "jaw_right": _ellipse(88, 62, 12, 9),
    "jaw_left": _ellipse(112, 62, 12, 9),
    "upper_arm_right": _rect(48, 94, 20, 60, 9),
    "lower_arm_right": _rect(42, 158, 20, 64, 9),
    "upper_arm_left": _rect(132, 94, 20, 60, 9),
    "lower_arm_left": _rect(138, 158, 20, 64, 9),
    "chest": _rect(74, 92, 52, 48),
    "abdomen": _rect(76, 142, 48, 46),
    "upper_leg_right": _rect(74, 196, 24, 92, 10),
    "lower_leg_right": _rect(76, 294, 20, 96, 9),
    "upper_leg_left": _rect(102, 196, 24, 92, 10),
    "lower_leg_left": _rect(104, 294, 20, 96, 9),
}
BACK_SHAPES = {
    "neck": _rect(90, 68, 20, 20, 6),
    "shoulder_girdle_left": _ellipse(62, 98, 16, 11),
    "shoulder_girdle_right": _ellipse(138, 98, 16, 11),
    "upper_back": _rect(80, 92, 40, 50),
    "lower_back": _rect(80, 144, 40, 44),
    "hip_left": _ellipse(88, 208, 15, 18),
    "hip_right": _ellipse(112, 208, 15, 18),
}

# Grey, non-interactive outline pieces so the shapes read as a person.
FRONT_OUTLINE = (
    {"tag": "circle", "cx": 100, "cy": 40, "r": 26},
    _rect(90, 66, 20, 22, 6),
    _rect(68, 88, 64, 106, 16),
    {"tag": "circle", "cx": 52, "cy": 230, "r": 9},
    {"tag": "circle", "cx": 148, "cy": 230, "r": 9},
    _rect(72, 390, 26, 12, 6),
    _rect(102, 390, 26, 12, 6),
)
BACK_OUTLINE = (
    {"tag": "circle", "cx": 100, "cy": 40, "r": 26},
    _rect(68, 88, 64, 106, 16),
    _rect(46, 108, 20, 50, 9),
    _rect(134, 108, 20, 50, 9),
    _rect(42, 160, 20, 64, 9),
    _rect(138, 160, 20, 64, 9),
    _rect(74, 224, 24, 66, 10),
    _rect(102, 224, 24, 66, 10),
    _rect(76, 294, 20, 96, 9),
    _rect(104, 294, 20, 96, 9),
)


def _regions(shapes: dict[str, Shape]) -> list[dict[str, str | int]]:
    ordered = [code for code in WPI_REGIONS if code in shapes]
    return [{"code": code, "label": WPI_REGION_LABELS[code], **shapes[code]} for code in ordered]


FIGURES = (
    {
        "view": "front",
        "title": gettext_noop("Front"),
        "hint": gettext_noop("Facing you: your right side is on the left of this picture."),
        "outline": FRONT_OUTLINE,
        "regions": _regions(FRONT_SHAPES),
    },
    {
        "view": "back",
        "title": gettext_noop("Back"),
        "hint": gettext_noop("From behind: your left side is on the left of this picture."),
        "outline": BACK_OUTLINE,
        "regions": _regions(BACK_SHAPES),
    },
)
