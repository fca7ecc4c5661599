"""The account page's small forms, one per part (each posts its `section`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import Language
from core.timezones import is_choosable_zone, timezone_choices

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NameForm(forms.Form):
    full_name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("New email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy(
            "We send a link to the new address; the change happens when you open it."
        ),
    )


class TimezoneForm(forms.Form):
    timezone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"),
        choices=timezone_choices,
        help_text=gettext_lazy("Your days, dates and reminders follow this zone."),
        error_messages={"invalid_choice": gettext_lazy("Choose a time zone from the list.")},
    )

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if current is not None and not is_choosable_zone(current):
            # An older sign-up could store an alias ("US/Eastern"): ask for a choice rather than
            # show the first zone of the list as if it were selected.
            field = self.fields["timezone"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", gettext_lazy("Choose your time zone")), *timezone_choices()]
            self.initial["timezone"] = ""


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)


class RemindersForm(forms.Form):
    checkin_reminder = forms.BooleanField(
        label=gettext_lazy("Email me a daily check-in reminder"), required=False
    )
    checkin_reminder_time = forms.TimeField(
        label=gettext_lazy("At this time (your time zone)"),
        required=False,
        widget=TIME_INPUT,
        help_text=gettext_lazy("Only sent on days you have not checked in yet."),
    )
    questionnaire_reminders = forms.BooleanField(
        label=gettext_lazy(
            "Email me when a questionnaire is due (PHQ-9 every 14 days, FIQR every 30 days)"
        ),
        required=False,
    )
