"""Patient page forms. They only shape the page; medications.services validates the values
(one set of rules for the page and the API) and its errors are put back on these fields."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy, gettext_noop

from medications.models import Frequency, Unit

FREQUENCY_CHOICES = [(value, gettext_lazy(label)) for value, label in Frequency.choices]
UNIT_CHOICES = [("", "—"), *Unit.choices]
DRUG_NAMES_LIST_ID = "drug-names"


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _dose_field(required: bool, label: str = "Dose") -> forms.CharField:
    # Text, not a number input: the service gives one clear message for every bad value.
    return forms.CharField(
        label=gettext_lazy(label),
        required=required,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "A number, for example 50 or 0.5. Leave empty if you do not know it."
        )
        if not required
        else "",
    )


class MedicationAddForm(forms.Form):
    drug = forms.CharField(
        label=gettext_lazy("Medicine, supplement or other drug"),
        max_length=120,
        widget=forms.TextInput(
            attrs={
                "list": DRUG_NAMES_LIST_ID,
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "aria-describedby": "drug-match",
            }
        ),
        help_text=gettext_lazy(
            "Start typing the name on the box or the label. Brand names work too."
        ),
    )
    dose = _dose_field(required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNIT_CHOICES, required=False)
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"), choices=FREQUENCY_CHOICES, initial=Frequency.DAILY
    )
    started_on = forms.DateField(label=gettext_lazy("First day you took it"), widget=_DateInput())
    stopped_on = forms.DateField(
        label=gettext_lazy("Last day you took it"),
        required=False,
        widget=_DateInput(),
        help_text=gettext_lazy("Leave empty if you still take it."),
    )
    reason = forms.CharField(
        label=gettext_lazy("What it is for (optional)"), required=False, max_length=200
    )
    prescriber = forms.CharField(
        label=gettext_lazy("Who prescribed it (optional)"), required=False, max_length=120
    )


class ChangeDoseForm(forms.Form):
    dose = _dose_field(required=True, label=gettext_noop("New dose"))
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=Unit.choices)
    frequency = forms.ChoiceField(label=gettext_lazy("How often"), choices=FREQUENCY_CHOICES)
    changed_on = forms.DateField(
        label=gettext_lazy("First day at the new dose"), widget=_DateInput()
    )


class StopForm(forms.Form):
    stopped_on = forms.DateField(label=gettext_lazy("Last day you took it"), widget=_DateInput())


class CorrectCourseForm(forms.Form):
    """Correct a course entered with the wrong start date or dose (not a change of dose: that
    starts a new course from a date)."""

    started_on = forms.DateField(label=gettext_lazy("First day you took it"), widget=_DateInput())
    dose = _dose_field(required=False)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"), choices=[("", "—"), *Unit.choices], required=False
    )
