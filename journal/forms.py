"""Page forms. They only parse strings into values; the services and the pure modules validate."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import BoundField
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from journal.instruments import acr2016, fiqr, phq9
from journal.instruments.checkin import SCALE_MAX, SCALE_MIN, SCALES
from journal.instruments.codes import (
    SEROTONIN_SYMPTOM_LABELS,
    WPI_REGION_LABELS,
)
from journal.models import DailyEntry

SCALE_CHOICES = [(str(n), str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]
# Labels are English in the code (marked for the catalog); shown in the page's language.
REGION_CHOICES = [(code, gettext_lazy(label)) for code, label in WPI_REGION_LABELS.items()]
SYMPTOM_CHOICES = [(code, gettext_lazy(label)) for code, label in SEROTONIN_SYMPTOM_LABELS.items()]


def _numbered(index: int, question: str) -> str:
    return f"{index}. {gettext(question)}"


def _over_past_week(label: str) -> str:
    return gettext("%(label)s, over the past week") % {"label": gettext(label)}


def _in_past_months(label: str) -> str:
    return gettext("%(label)s in the past 6 months") % {"label": gettext(label)}


numbered_lazy = lazy(_numbered, str)
over_past_week_lazy = lazy(_over_past_week, str)
in_past_months_lazy = lazy(_in_past_months, str)

# (section key, heading, words at both ends of its scale or none, its bound fields), for the page.
Section = tuple[str, str, tuple[str, str] | str | None, list[BoundField]]


def _scale_field(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=gettext_lazy(label),
        choices=SCALE_CHOICES,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Please choose a number from 0 to 10.")},
    )


class CheckinForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Day"),
        required=False,  # blank means today in the patient's time zone
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Today, or an earlier day you missed."),
    )
    pain = _scale_field(SCALES["pain"][0])
    fatigue = _scale_field(SCALES["fatigue"][0])
    sleep_quality = _scale_field(SCALES["sleep_quality"][0])
    cognition = _scale_field(SCALES["cognition"][0])
    mood = _scale_field(SCALES["mood"][0])
    pain_regions = forms.MultipleChoiceField(
        label=gettext_lazy("Where did it hurt?"),
        choices=REGION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    serotonin_symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("Symptoms that can come with medicine changes (optional)"),
        choices=SYMPTOM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    self_harm_thoughts = forms.BooleanField(
        label=gettext_lazy(
            "I have had thoughts that I would be better off dead, or of hurting myself"
        ),
        required=False,
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def entry_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{scale: data[scale] for scale in SCALES},
            "pain_regions": list(data["pain_regions"]),
            "serotonin_symptoms": list(data["serotonin_symptoms"]),
            "self_harm_thoughts": bool(data["self_harm_thoughts"]),
            "notes": data["notes"],
        }

    # The optional sections folded behind one tap on the page.
    OPTIONAL_SECTION_FIELDS = ("pain_regions", "serotonin_symptoms")

    @staticmethod
    def same_as_last_initial(entry: DailyEntry) -> dict[str, str]:
        """Initial values for "same as yesterday": the five scales of an earlier check-in, and
        nothing else. Self-harm thoughts and notes are about that day only: never copied."""
        return {scale: str(getattr(entry, scale)) for scale in SCALES}

    def optional_sections_open(self) -> bool:
        """Unfold the body map and symptoms when they hold values (editing, or posted back) or
        carry an error, so nothing chosen or wrong is hidden."""
        return any(
            self[name].value() or self.errors.get(name) for name in self.OPTIONAL_SECTION_FIELDS
        )

    def scale_rows(self) -> list[tuple[BoundField, str, str]]:
        """(bound field, word at 0, word at 10) for each scale, in page order."""
        return [(self[name], gettext(SCALES[name][1]), gettext(SCALES[name][2])) for name in SCALES]


def _choice_field(
    label: "StrOrPromise",
    choices: Iterable[tuple[object, str]],
    *,
    required: bool = True,
    message: str = gettext_noop("Please choose an answer."),
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(str(value), gettext_lazy(text)) for value, text in choices],
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy(message)},
    )


class Phq9Form(forms.Form):
    instrument = "phq9"
    title = gettext_lazy("PHQ-9: how you have been feeling")
    intro = gettext_lazy(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, question in enumerate(phq9.QUESTIONS, start=1):
            self.fields[f"item_{index}"] = _choice_field(
                numbered_lazy(index, question), phq9.ANSWER_CHOICES
            )

    def answers(self) -> dict[str, Any]:
        return {
            "items": [self.cleaned_data[f"item_{n}"] for n in range(1, len(phq9.QUESTIONS) + 1)]
        }

    def sections(self) -> list[Section]:
        return [("", "", "", [self[name] for name in self.fields])]


# Words at both ends of each FIQR symptom item (Bennett 2009 questionnaire).
FIQR_SYMPTOM_ENDS = (
    (gettext_noop("No pain"), gettext_noop("Unbearable pain")),
    (gettext_noop("Lots of energy"), gettext_noop("No energy")),
    (gettext_noop("No stiffness"), gettext_noop("Severe stiffness")),
    (gettext_noop("Awoke well rested"), gettext_noop("Awoke very tired")),
    (gettext_noop("No depression"), gettext_noop("Very depressed")),
    (gettext_noop("Good memory"), gettext_noop("Very poor memory")),
    (gettext_noop("Not anxious"), gettext_noop("Very anxious")),
    (gettext_noop("No tenderness"), gettext_noop("Very tender")),
    (gettext_noop("No imbalance"), gettext_noop("Severe imbalance")),
    (gettext_noop("No sensitivity"), gettext_noop("Extreme sensitivity")),
)
FIQR_SECTIONS = (
    (
        "function",
        gettext_noop("How hard was it to do these things in the past 7 days?"),
        (gettext_noop("No difficulty"), gettext_noop("Very difficult")),
        fiqr.FUNCTION_QUESTIONS,
    ),
    (
        "overall",
        gettext_noop("Overall, in the past 7 days"),
        (gettext_noop("Never"), gettext_noop("Always")),
        fiqr.OVERALL_QUESTIONS,
    ),
    (
        "symptoms",
        gettext_noop("How strong were these symptoms in the past 7 days?"),
        None,
        fiqr.SYMPTOM_QUESTIONS,
    ),
)


class FiqrForm(forms.Form):
    instrument = "fiqr"
    title = gettext_lazy("FIQR: how fibromyalgia affected your week")
    intro = gettext_lazy(
        "Choose the number that fits best, from 0 to 10. You may leave one of the activity "
        "questions blank if it does not apply to you."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for section, _heading, ends, questions in FIQR_SECTIONS:
            for index, question in enumerate(questions, start=1):
                field = _scale_field(question, required=section != "function")
                low, high = ends or FIQR_SYMPTOM_ENDS[index - 1]
                # The template reads the scale's end labels from the field itself.
                field.ends = (gettext(low), gettext(high))  # type: ignore[attr-defined]
                self.fields[f"{section}_{index}"] = field

    def answers(self) -> dict[str, Any]:
        return {
            section: [self.cleaned_data.get(f"{section}_{n}") for n in range(1, len(questions) + 1)]
            for section, _heading, _ends, questions in FIQR_SECTIONS
        }

    def sections(self) -> list[Section]:
        return [
            (
                section,
                gettext(heading),
                ends,
                [self[f"{section}_{n}"] for n in range(1, len(questions) + 1)],
            )
            for section, heading, ends, questions in FIQR_SECTIONS
        ]


class Acr2016Form(forms.Form):
    instrument = "acr2016"
    title = gettext_lazy("ACR 2016 fibromyalgia questions")
    intro = gettext_lazy("Where have you had pain in the past 7 days, and how have you been?")

    regions = forms.MultipleChoiceField(
        label=gettext_lazy("Where have you had pain or tenderness in the past 7 days?"),
        choices=REGION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in acr2016.SEVERITY_QUESTIONS.items():
            self.fields[name] = _choice_field(over_past_week_lazy(label), acr2016.SEVERITY_CHOICES)
        for name, label in acr2016.YES_NO_QUESTIONS.items():
            self.fields[name] = forms.BooleanField(label=in_past_months_lazy(label), required=False)
        self.fields[acr2016.DURATION_FIELD] = _choice_field(
            gettext_lazy(acr2016.DURATION_QUESTION),
            ((1, gettext_noop("Yes")), (0, gettext_noop("No"))),
        )

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "regions": list(data["regions"]),
            **{name: data[name] for name in acr2016.SEVERITY_FIELDS},
            **{name: bool(data[name]) for name in acr2016.YES_NO_SYMPTOM_FIELDS},
            acr2016.DURATION_FIELD: bool(data[acr2016.DURATION_FIELD]),
        }


QUESTIONNAIRE_FORMS = {form.instrument: form for form in (Phq9Form, FiqrForm, Acr2016Form)}
