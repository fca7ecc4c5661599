"""PlainSelect writes exactly the HTML of Django's template-rendered Select."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.widgets import PlainSelect

CHOICES = [("", "All patients"), ("1", "Ana & <b>Bo</b>"), ("2", 'Quote " here'), (3, "Three")]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, None, {"id": "id_patient"}),
        (CHOICES, "", {"id": "id_patient"}),
        (CHOICES, "2", {"id": "id_patient"}),
        (CHOICES, 3, {}),
        (CHOICES, "unknown", {"id": "x", "aria-invalid": "true", "aria-describedby": "x_error"}),
        (CHOICES, "1", {"required": True, "disabled": False, "data-x": '<"&>'}),
        ([], None, {"id": "empty"}),
        ([(str(n), f"Patient {n}") for n in range(500)], "250", {"id": "big"}),
        # A None value is an empty one; of two equal values only the first is selected.
        ([(None, "None"), ("a", "A"), ("a", "A again")], "a", {}),
        ([(None, "None"), ("a", "A")], None, {}),
        # An attribute already marked safe is written as it is (`|stringformat` keeps safety).
        (CHOICES, "1", {"data-safe": mark_safe('<b a="1">')}),  # noqa: S308
        ([(mark_safe("<v>"), "Safe value"), ("<w>", "Plain value")], "<w>", {}),  # noqa: S308
        # Lazy (translated) and safe labels.
        ([("x", gettext_lazy("Unassigned")), ("y", mark_safe("<i>y</i>"))], "x", {}),  # noqa: S308
    ],
)
def test_plain_select_renders_what_django_renders(
    choices: list[tuple[Any, str]], value: Any, attrs: dict[str, Any]
) -> None:
    expected = forms.Select(choices=choices).render("patient", value, attrs=dict(attrs))
    assert PlainSelect(choices=choices).render("patient", value, attrs=dict(attrs)) == expected


def test_option_groups_fall_back_to_django() -> None:
    choices = [("Group", [("a", "A"), ("b", "B")]), ("c", "C")]
    expected = forms.Select(choices=choices).render("g", "b")
    assert PlainSelect(choices=choices).render("g", "b") == expected
    assert "<optgroup" in expected


def test_a_bound_field_with_errors_keeps_its_error_attributes() -> None:
    class Form(forms.Form):
        patient = forms.ChoiceField(choices=CHOICES[:2], required=False, widget=PlainSelect)

    class DjangoForm(forms.Form):
        patient = forms.ChoiceField(choices=CHOICES[:2], required=False)

    ours, theirs = Form({"patient": "9"}), DjangoForm({"patient": "9"})
    assert not ours.is_valid() and not theirs.is_valid()
    assert str(ours["patient"]) == str(theirs["patient"])
    assert 'aria-invalid="true"' in str(ours["patient"])
