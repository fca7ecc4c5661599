from datetime import date, timedelta

from clinic import charts

AXIS = charts.DateAxis(date(2026, 1, 1), date(2026, 3, 1))


def test_it_maps_dates_onto_one_shared_axis():
    assert AXIS.x(AXIS.start) == charts.LEFT
    assert AXIS.x(AXIS.end) == charts.WIDTH - charts.RIGHT
    assert AXIS.x(AXIS.start - timedelta(days=9)) == charts.LEFT  # clamped


def test_line_chart_escapes_labels_and_has_no_style_attribute():
    svg = charts.line_chart(
        axis=AXIS,
        series=[charts.Series("<b>mood</b>", "s-mood", [(date(2026, 1, 5), 3)])],
        low=0,
        high=10,
        title="T & <x>",
    )
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "style=" not in svg


def test_timeline_draws_washout_tails_and_dose_changes():
    bars = [
        charts.TimelineBar("fluoxetine 20", date(2026, 1, 1), date(2026, 1, 20), washout_days=35),
        charts.TimelineBar("sertraline 100", date(2026, 2, 1), None, dose_change=True),
    ]
    svg = charts.timeline(axis=AXIS, bars=bars, title="Medicines")
    assert svg.count('class="course tier') == 2
    assert 'class="washout"' in svg
    assert 'class="dose-change"' in svg


def test_sparkline_is_empty_without_points():
    assert charts.sparkline([], days=28, css="s", label="x") == ""
    assert "<polyline" in charts.sparkline([(0, 5), (27, 2)], days=28, css="s", label="x")
