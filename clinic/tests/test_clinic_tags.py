import warnings

import pytest

from clinic.templatetags.clinic_tags import change


@pytest.mark.parametrize(
    ("value", "higher_is_worse", "parts"),
    [
        (None, True, ['class="delta muted"', "no baseline"]),
        (0.2, True, ['class="delta steady"', "≈ +0.2"]),
        (-0.04, False, ["≈ +0.0"]),  # never "-0.0"
        (1.26, True, ['class="delta worse"', "▲", "+1.3", "(worse)"]),
        (1.26, False, ['class="delta better"', "▲", "(better)"]),
        (-2.0, False, ['class="delta worse"', "▼", "-2.0"]),
    ],
)
def test_change_renders_without_deprecation_warnings(value, higher_is_worse, parts):
    with warnings.catch_warnings():
        # format_html() without arguments is deprecated in Django 5.2 (removed in 6.0).
        warnings.simplefilter("error")
        html = change(value, higher_is_worse)
    assert all(part in html for part in parts)
