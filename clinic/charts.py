"""Server-rendered SVG charts (pure Python, no Django imports).

Every chart of the patient record shares one date axis (`DateAxis`), so a decline in mood lines
up with the start or dose change above it in the medication timeline. No script and no style
attribute: colours come from CSS classes in clinic/static/clinic/clinic.css (strict CSP).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from html import escape

WIDTH = 760
LEFT = 150  # room for the timeline's course labels; the value charts use the same margin
RIGHT = 12
PLOT_WIDTH = WIDTH - LEFT - RIGHT


@dataclass(frozen=True, slots=True)
class DateAxis:
    start: date
    end: date

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)

    def x(self, day: date) -> float:
        offset = min(max((day - self.start).days, 0), self.days)
        return round(LEFT + PLOT_WIDTH * offset / self.days, 1)

    def ticks(self, count: int = 6) -> list[date]:
        step = max(self.days // (count - 1), 1)
        return [self.start + timedelta(days=i * step) for i in range(count)] if self.days else []


@dataclass(frozen=True, slots=True)
class Band:
    low: float
    high: float
    css: str
    label: str


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    css: str
    points: Sequence[tuple[date, float]]


def _y(value: float, low: float, high: float, top: float, height: float) -> float:
    return round(top + height * (1 - (value - low) / (high - low)), 1)


def _x_axis(axis: DateAxis, y: float, height: float) -> list[str]:
    parts = [f'<line class="axis" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>']
    for tick in axis.ticks():
        x = axis.x(tick)
        parts.append(f'<line class="grid" x1="{x}" y1="{y - height}" x2="{x}" y2="{y}"/>')
        parts.append(
            f'<text class="tick" x="{x}" y="{y + 14}" text-anchor="middle">'
            f"{tick.strftime('%d %b %y')}</text>"
        )
    return parts


def line_chart(
    *,
    axis: DateAxis,
    series: Iterable[Series],
    low: float,
    high: float,
    title: str,
    bands: Iterable[Band] = (),
    height: int = 160,
    y_ticks: Sequence[float] = (),
) -> str:
    """An SVG line chart (markers on each point) with optional shaded bands."""
    top, bottom = 8, 8 + height
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height + 34}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    for band in bands:
        y1 = _y(min(band.high, high), low, high, top, height)
        y2 = _y(max(band.low, low), low, high, top, height)
        parts.append(
            f'<rect class="band {escape(band.css)}" x="{LEFT}" y="{y1}" width="{PLOT_WIDTH}" '
            f'height="{round(y2 - y1, 1)}"><title>{escape(band.label)}</title></rect>'
        )
        parts.append(
            f'<text class="band-label" x="{LEFT - 6}" y="{round((y1 + y2) / 2 + 4, 1)}" '
            f'text-anchor="end">{escape(band.label)}</text>'
        )
    for value in y_ticks:
        y = _y(value, low, high, top, height)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{value:g}</text>'
        )
    parts += _x_axis(axis, bottom, height)
    for s in series:
        visible = [(d, v) for d, v in s.points if axis.start <= d <= axis.end and v is not None]
        if not visible:
            continue
        # Each point's coordinates once: the polyline and the markers share them.
        xy = [(axis.x(d), _y(v, low, high, top, height)) for d, v in visible]
        coords = " ".join(f"{x},{y}" for x, y in xy)
        parts.append(f'<g class="series {escape(s.css)}"><title>{escape(s.label)}</title>')
        parts.append(f'<polyline points="{coords}"/>')
        if len(visible) <= 60:
            label = escape(s.label)
            for (d, v), (x, y) in zip(visible, xy, strict=True):
                parts.append(
                    f'<circle cx="{x}" cy="{y}" r="3">'
                    f"<title>{label} {d.isoformat()}: {v:g}</title></circle>"
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class TimelineBar:
    label: str
    start: date
    end: date | None  # last day taken, None = ongoing
    washout_days: int = 0
    css: str = "tier-none"
    dose_change: bool = False  # started as a dose change of the previous course
    detail: str = ""


def timeline(*, axis: DateAxis, bars: Sequence[TimelineBar], title: str) -> str:
    """One bar per course; washout tails hatched; a diamond where a dose changed."""
    row = 26
    height = max(len(bars), 1) * row
    parts = [
        f'<svg class="chart timeline" viewBox="0 0 {WIDTH} {height + 30}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="washout" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line class="hatch" x1="0" y1="0" x2="0" y2="6"/>'
        "</pattern></defs>",
    ]
    for i, bar in enumerate(bars):
        y = i * row + 4
        parts.append(
            f'<text class="course-label" x="{LEFT - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(bar.label[:24])}</text>"
        )
        end = bar.end or axis.end
        if end < axis.start or bar.start > axis.end:
            continue
        x1, x2 = axis.x(bar.start), axis.x(end + timedelta(days=1))
        tip = escape(bar.detail or bar.label)
        parts.append(
            f'<rect class="course {escape(bar.css)}" x="{x1}" y="{y}" '
            f'width="{max(round(x2 - x1, 1), 2)}" height="18" rx="3"><title>{tip}</title></rect>'
        )
        if bar.end is not None and bar.washout_days > 0:
            w2 = axis.x(bar.end + timedelta(days=1 + bar.washout_days))
            if w2 > x2:
                parts.append(
                    f'<rect class="washout" x="{x2}" y="{y}" width="{round(w2 - x2, 1)}" '
                    f'height="18" fill="url(#washout)"><title>{escape(bar.label)} washout '
                    f"{bar.washout_days} days</title></rect>"
                )
        if bar.dose_change and axis.start <= bar.start <= axis.end:
            parts.append(
                f'<path class="dose-change" d="M{x1} {y - 3} l5 12 l-5 12 l-5 -12 z">'
                f"<title>Dose change {bar.start.isoformat()}</title></path>"
            )
    parts += _x_axis(axis, height + 4, height)
    parts.append("</svg>")
    return "".join(parts)


SPARK_WIDTH, SPARK_HEIGHT = 84, 22


def _spark_x(x: float, span: int) -> str:
    return str(round(2 + (SPARK_WIDTH - 4) * x / span, 1))


def _spark_y(v: float) -> str:
    return str(round(2 + (SPARK_HEIGHT - 4) * (1 - v / 10), 1))


@lru_cache(maxsize=16)
def _spark_xs(span: int) -> tuple[str, ...]:
    return tuple(_spark_x(x, span) for x in range(span + 1))


# Daily scores are whole numbers 0-10: their y coordinates are computed once.
_SPARK_YS = {v: _spark_y(v) for v in range(11)}


def sparkline(points: Sequence[tuple[int, float]], *, days: int, css: str, label: str) -> str:
    """A tiny inline trend (x = day offset 0..days-1, y = 0..10).

    The dashboard draws two per row (50 a page): coordinates come from lookup tables, the
    same strings the formula gives, because formatting floats was most of a sparkline's cost.
    """
    width, height = SPARK_WIDTH, SPARK_HEIGHT
    if not points:
        return ""
    span = max(days - 1, 1)
    xs, ys = _spark_xs(span), _SPARK_YS
    coords = " ".join(
        f"{xs[x] if type(x) is int and 0 <= x <= span else _spark_x(x, span)},"
        f"{ys[v] if type(v) is int and v in ys else _spark_y(v)}"
        for x, v in points
    )
    return (
        f'<svg class="spark {escape(css)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}"><polyline points="{coords}"/>'
        "</svg>"
    )
