"""core.html.escape_text renders what Django's conditional_escape renders."""

import pytest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.html import escape_text

VALUES = [
    "",
    "plain",
    "Ana & <b>\"Bo\"</b> 'x'",
    "“curly” — ünïcode",
    0,
    1234,
    -1.5,
    None,
    mark_safe("<i>kept</i>"),  # noqa: S308 - a literal
    format_html("<b>{}</b>", "<x>"),
    gettext_lazy("Unassigned"),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_it_matches_conditional_escape(value):
    assert escape_text(value) == str(conditional_escape(value))
