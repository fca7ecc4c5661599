"""core.chart_series: what the per-measure charts plot (no browser needed).

Daily points for short periods with nulls for days without a check-in (drawn as gaps), weekly
means by ISO week (Monday to Sunday of the patient's own dates) from 90 days, x as a day number
so a gap keeps its length, and medication markers inside the period only.
"""

from datetime import date, timedelta

import pytest

from core import chart_series
from core.chart_series import Marker, Measure, markers_for, measure_charts

PAIN = Measure("pain", "Pain", "No pain", "Worst pain")
MOOD = Measure("mood", "Mood", "Very low", "Very good")
END = date(2026, 3, 1)  # a Sunday


def _chart(payload, key):
    return next(chart for chart in payload["charts"] if chart["key"] == key)


def test_daily_points_keep_a_14_day_gap_14_days_wide_as_nulls():
    start = END - timedelta(days=29)
    rows = [(start, {"pain": 4, "mood": 6}), (start + timedelta(days=15), {"pain": 7, "mood": 5})]
    payload = measure_charts(measures=[PAIN, MOOD], rows=rows, start=start, end=END)
    assert payload["mode"] == "daily" and payload["span"] == 29
    points = _chart(payload, "pain")["points"]
    assert len(points) == 30 and [p["x"] for p in points] == list(range(30))
    assert points[0] == {"x": 0, "y": 4} and points[15] == {"x": 15, "y": 7}
    assert all(p["y"] is None for p in points[1:15])  # 14 missing days: nulls, not a bridge
    assert _chart(payload, "pain")["count"] == 2
    assert payload["empty"] is False


def test_a_missing_value_of_one_measure_is_a_null_for_that_measure_only():
    start = END - timedelta(days=6)
    rows = [(END, {"pain": 3, "mood": None})]
    payload = measure_charts(measures=[PAIN, MOOD], rows=rows, start=start, end=END)
    assert _chart(payload, "pain")["points"][-1]["y"] == 3
    assert _chart(payload, "mood")["points"][-1]["y"] is None
    assert _chart(payload, "mood")["count"] == 0


@pytest.mark.parametrize(
    ("days", "mode"), [(7, "daily"), (28, "daily"), (30, "daily"), (89, "daily"), (90, "weekly")]
)
def test_weekly_means_from_90_days(days, mode):
    start = END - timedelta(days=days - 1)
    payload = measure_charts(measures=[PAIN], rows=[], start=start, end=END)
    assert payload["mode"] == mode
    assert payload["empty"] is True


def test_weekly_means_follow_iso_weeks_monday_to_sunday():
    # 2026-02-15 is a Sunday, 02-16 a Monday: the two days fall in different ISO weeks.
    start = date(2026, 2, 11)  # a Wednesday: the first week is partial
    rows = [
        (date(2026, 2, 11), {"pain": 2}),
        (date(2026, 2, 15), {"pain": 5}),  # Sunday, same week as the Wednesday
        (date(2026, 2, 16), {"pain": 8}),  # Monday: the next week
        (date(2026, 2, 17), {"pain": 5}),
    ]
    payload = measure_charts(measures=[PAIN], rows=rows, start=start, end=END, weekly=True)
    points = _chart(payload, "pain")["points"]
    assert [p["week"] for p in points] == ["2026-W07", "2026-W08", "2026-W09"]
    assert [p["y"] for p in points] == [3.5, 6.5, None]  # the empty last week is a gap
    assert [p["n"] for p in points] == [2, 2, 0]
    # The partial first week (Wed-Sun) sits at the middle of its days inside the period.
    assert points[0]["from"] == "2026-02-11" and points[0]["to"] == "2026-02-15"
    assert points[0]["x"] == 2.0 and points[1]["x"] == 8.0


def test_weekly_mean_is_rounded_to_one_decimal():
    start = date(2026, 2, 16)
    rows = [(start + timedelta(days=i), {"pain": v}) for i, v in enumerate((1, 2, 2))]
    payload = measure_charts(measures=[PAIN], rows=rows, start=start, end=END, weekly=True)
    assert _chart(payload, "pain")["points"][0]["y"] == 1.7


def test_rows_outside_the_period_are_left_out():
    start = END - timedelta(days=6)
    rows = [(start - timedelta(days=1), {"pain": 9}), (END + timedelta(days=1), {"pain": 9})]
    payload = measure_charts(measures=[PAIN], rows=rows, start=start, end=END)
    assert payload["empty"] is True
    assert all(p["y"] is None for p in _chart(payload, "pain")["points"])


def test_markers_inside_the_period_carry_their_day_number():
    start = END - timedelta(days=29)
    markers = [
        Marker(start - timedelta(days=1), "start", "Before"),
        Marker(start, "start", "Sertraline 50 mg started"),
        Marker(END, "dose_change", "Sertraline dose 50 mg → 100 mg"),
    ]
    payload = measure_charts(measures=[PAIN], rows=[], start=start, end=END, markers=markers)
    assert payload["markers"] == [
        {"x": 0, "date": start.isoformat(), "kind": "start", "label": "Sertraline 50 mg started"},
        {
            "x": 29,
            "date": END.isoformat(),
            "kind": "dose_change",
            "label": "Sertraline dose 50 mg → 100 mg",
        },
    ]


def test_markers_for_asks_every_registered_source(monkeypatch):
    monkeypatch.setattr(chart_series, "_MARKER_SOURCES", [])
    start = END - timedelta(days=6)

    def source(patient, first, last):
        assert (patient, first, last) == ("pat", start, END)
        return [
            Marker(END, "stop", "B"),
            Marker(start, "start", "A"),
            Marker(date(2020, 1, 1), "x", ""),
        ]

    chart_series.register_marker_source(source)
    chart_series.register_marker_source(source)  # once only
    assert [m.label for m in markers_for("pat", start, END)] == ["A", "B"]
