"""Drawings of the visit report (reportlab graphics): the medication timeline chart and the
pain-region heat map. Strings drawn here are not parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Line, Polygon, Rect, String
from reportlab.lib import colors

from clinic import checkins
from medications.models import MedicationCourse

CHART_WIDTH = 493.0  # A4 less the report's 18 mm margins, in points
LABEL_WIDTH = 150.0
ROW_HEIGHT = 15.0
ROWS_PER_CHART = 28  # a drawing cannot break across pages: long lists become several charts
TIER_COLOURS = {
    "maoi": colors.HexColor("#8e2b1f"),
    "maob": colors.HexColor("#b5532f"),
    "strong": colors.HexColor("#d0792c"),
    "weak": colors.HexColor("#e0b040"),
    "none": colors.HexColor("#6f8f8c"),
    "unknown": colors.HexColor("#9a9a9a"),
}
TIER_NAMES = {
    "maoi": "MAOI",
    "maob": "MAO-B inhibitor",
    "strong": "strong serotonergic",
    "weak": "weak serotonergic",
    "none": "not serotonergic",
    "unknown": "not in catalog",
}


def tier(course: MedicationCourse) -> str:
    return course.drug.serotonergic if course.drug is not None else "unknown"


def _course_label(course: MedicationCourse) -> str:
    name = course.drug.name if course.drug is not None else course.name
    dose = f"{course.dose.normalize():f} {course.unit}".strip() if course.dose else ""
    label = f"{name} {dose}".strip()
    return label if len(label) <= 30 else label[:29] + "…"


def _diamond(x: float, y: float, size: float, colour: colors.Color) -> Polygon:
    return Polygon(
        [x, y - size, x + size, y, x, y + size, x - size, y],
        fillColor=colour,
        strokeColor=colors.black,
        strokeWidth=0.5,
    )


def medication_charts(
    courses: Sequence[MedicationCourse], *, start: date, end: date
) -> list[Drawing]:
    """The period's courses as horizontal bars on one date axis: a bar per course, a tick at a
    start, a thick cap at a stop, a diamond at a dose change (a course continuing another).
    Several drawings of at most ROWS_PER_CHART bars when the list is long."""
    span = max((end - start).days + 1, 1)
    plot_left = LABEL_WIDTH
    plot_width = CHART_WIDTH - LABEL_WIDTH - 6

    def x_of(day: date) -> float:
        return plot_left + plot_width * (day - start).days / span

    continued = {c.previous_course_id for c in courses if c.previous_course_id is not None}
    drawings = []
    for chunk_start in range(0, len(courses), ROWS_PER_CHART):
        chunk = courses[chunk_start : chunk_start + ROWS_PER_CHART]
        axis_height = 26.0
        height = axis_height + ROW_HEIGHT * len(chunk) + 4
        drawing = Drawing(CHART_WIDTH, height)
        top = height - 2
        for i, course in enumerate(chunk):
            y = top - ROW_HEIGHT * (i + 1)
            mid = y + ROW_HEIGHT / 2
            colour = TIER_COLOURS.get(tier(course), TIER_COLOURS["none"])
            drawing.add(String(0, mid - 3, _course_label(course), fontName="Helvetica", fontSize=8))
            first = max(course.started_on, start)
            # The bar covers whole days: the last day taken ends at the next day's start.
            last_day = min(course.stopped_on or end, end)
            x0, x1 = x_of(first), x_of(last_day + timedelta(days=1))
            drawing.add(
                Rect(x0, y + 3, max(x1 - x0, 1.5), ROW_HEIGHT - 6, fillColor=colour, strokeWidth=0)
            )
            if start <= course.started_on <= end:
                if course.previous_course_id is not None:
                    drawing.add(_diamond(x0, mid, 4, colors.white))
                else:
                    drawing.add(Line(x0, y + 1, x0, y + ROW_HEIGHT - 1, strokeWidth=1.2))
            stopped = course.stopped_on
            if stopped is not None and start <= stopped <= end and course.pk not in continued:
                drawing.add(Rect(x1 - 2.5, y + 1, 2.5, ROW_HEIGHT - 2, fillColor=colors.black))
        # Date axis with about five labelled ticks, the first and the last included.
        axis_y = top - ROW_HEIGHT * len(chunk) - 2
        drawing.add(Line(plot_left, axis_y, plot_left + plot_width, axis_y, strokeWidth=0.6))
        steps = min(4, span - 1)
        ticks = [start]
        if steps:
            ticks = [
                start + timedelta(days=round((span - 1) * k / steps)) for k in range(steps + 1)
            ]
        for k, day in enumerate(ticks):
            x = x_of(day)
            drawing.add(Line(x, axis_y, x, axis_y - 3, strokeWidth=0.6))
            anchor = "start" if k == 0 else "end" if k == len(ticks) - 1 else "middle"
            drawing.add(
                String(
                    x,
                    axis_y - 12,
                    day.isoformat(),
                    fontName="Helvetica",
                    fontSize=7,
                    textAnchor=anchor,
                )
            )
        drawings.append(drawing)
    return drawings


def chart_legend(tiers: Iterable[str]) -> Drawing:
    drawing = Drawing(CHART_WIDTH, 14)
    x = 0.0
    present = set(tiers)
    items = [(TIER_COLOURS[t], TIER_NAMES[t]) for t in TIER_NAMES if t in present]
    for colour, name in items:
        drawing.add(Rect(x, 3, 10, 8, fillColor=colour, strokeWidth=0))
        drawing.add(String(x + 13, 4, name, fontName="Helvetica", fontSize=7))
        x += 17 + 3.6 * len(name)
    drawing.add(Line(x, 2, x, 12, strokeWidth=1.2))
    drawing.add(String(x + 4, 4, "start", fontName="Helvetica", fontSize=7))
    x += 28
    drawing.add(Rect(x, 2, 2.5, 10, fillColor=colors.black))
    drawing.add(String(x + 6, 4, "stop", fontName="Helvetica", fontSize=7))
    x += 28
    drawing.add(_diamond(x + 4, 7, 4, colors.white))
    drawing.add(String(x + 11, 4, "dose change", fontName="Helvetica", fontSize=7))
    return drawing


HEAT_COLOURS = (
    colors.HexColor("#ffffff"),
    colors.HexColor("#fde0d4"),
    colors.HexColor("#f4a582"),
    colors.HexColor("#d6604d"),
    colors.HexColor("#8c1d12"),
)
OUTLINE_COLOUR = colors.HexColor("#e9eeed")
BODY_SCALE = 0.36  # the check-in's 200 x 420 body map, about 72 x 151 points


def _body_shape(
    shape: Mapping[str, object], x0: float, height: float, fill: colors.Color, *, region: bool
) -> Rect | Ellipse | Circle:
    """One body-map shape in points: SVG y grows downwards, a drawing's upwards."""

    def n(name: str) -> float:
        return float(str(shape[name])) * BODY_SCALE

    line = colors.HexColor("#7b1f16" if region else "#b7c4c1")
    stroke: dict[str, Any] = {"strokeColor": line, "strokeWidth": 0.5, "fillColor": fill}
    if shape["tag"] == "rect":
        return Rect(
            x0 + n("x"),
            height - n("y") - n("height"),
            n("width"),
            n("height"),
            rx=n("rx"),
            ry=n("rx"),
            **stroke,
        )
    if shape["tag"] == "ellipse":
        return Ellipse(x0 + n("cx"), height - n("cy"), n("rx"), n("ry"), **stroke)
    return Circle(x0 + n("cx"), height - n("cy"), n("r"), **stroke)


def heat_map_drawing(counts: Sequence[checkins.RegionCount]) -> Drawing:
    """Front and back body maps, each region filled by its heat level (as on the record)."""
    width, height = 200 * BODY_SCALE, 420 * BODY_SCALE
    gap = 24.0
    drawing = Drawing(2 * width + gap + 170, height + 14)
    levels = {c.code: c.level for c in counts}
    for i, (_view, title, outline, regions) in enumerate(checkins.BODY_FIGURES):
        x0 = i * (width + gap)
        drawing.add(
            String(
                x0 + width / 2,
                height + 3,
                title,
                fontName="Helvetica-Bold",
                fontSize=8,
                textAnchor="middle",
            )
        )
        for shape in outline:
            drawing.add(_body_shape(shape, x0, height, OUTLINE_COLOUR, region=False))
        for code, shape in regions.items():
            drawing.add(
                _body_shape(shape, x0, height, HEAT_COLOURS[levels.get(code, 0)], region=True)
            )
    key_x = 2 * width + gap + 14
    for k, (_css, label) in enumerate(checkins.HEAT_LEGEND):
        y = height - 12 - 13 * k
        drawing.add(
            Rect(
                key_x,
                y,
                9,
                9,
                fillColor=HEAT_COLOURS[k],
                strokeColor=colors.HexColor("#7b1f16"),
                strokeWidth=0.5,
            )
        )
        drawing.add(String(key_x + 13, y + 1.5, label, fontName="Helvetica", fontSize=7.5))
    return drawing
