from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from core.timezones import local_date, timezone_choices


def timezone_field(
    *, label: "StrOrPromise", initial: str, help_text: "StrOrPromise" = ""
) -> forms.ChoiceField:
    """A `<select>` of IANA zones grouped by region (core.timezones.timezone_choices).

    `data-browser-timezone`: static/accounts/browser-timezone.js selects the browser's own zone
    on a fresh form (no inline script under the CSP); the person can still change it.
    """
    return forms.ChoiceField(
        label=label,
        choices=timezone_choices,
        initial=initial,
        help_text=help_text,
        widget=forms.Select(attrs={"data-browser-timezone": "true"}),
    )


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    # An account not yet confirmed by email fails like a wrong password (saying otherwise would
    # tell a stranger which addresses have accounts); the hint helps its owner.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct email and password. If you have just created "
            "an account, first open the confirmation link we emailed you."
        ),
    }
    remember = forms.BooleanField(
        label=_("Keep me signed in on this device for 30 days"),
        required=False,
        help_text=_(
            "Only on a phone or computer that no one else uses. For patients only: clinicians "
            "and administrators are always signed out after a short time, for their patients' "
            "safety."
        ),
    )


class _SignupBase(forms.Form):
    full_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self.fields.get("timezone")
        if self.is_bound and zone is not None:
            # A form sent back with errors keeps the zone the person chose.
            zone.widget.attrs.pop("data-browser-timezone", None)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return email.strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class PatientSignupForm(_SignupBase):
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("Used to apply age-specific medicine warnings (for example, under 25)."),
    )
    timezone = timezone_field(label=_("Your time zone"), initial="America/New_York")
    consent = forms.BooleanField(
        label=_(
            "I agree that my entries are stored to help me and the clinicians I choose to share "
            "them with. I understand this portal does not replace emergency care."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dob = cleaned.get("date_of_birth")
        if dob is not None:
            # "Today" where the patient lives (the zone chosen on this form; UTC when it is not
            # valid), not the server's UTC date: at UTC+13 a date of birth of today's local date
            # is not in the future, though UTC's calendar is still on yesterday.
            today = local_date(timezone.now(), cleaned.get("timezone"))
            if dob > today:
                self.add_error("date_of_birth", _("Date of birth cannot be in the future."))
            elif dob.year < today.year - 120:
                self.add_error("date_of_birth", _("Please check the year of your date of birth."))
        return cleaned


class ClinicianSignupForm(_SignupBase):
    organisation = forms.CharField(label=_("Practice or organisation"), max_length=200)
    licence_number = forms.CharField(label=_("Licence or registration number"), max_length=64)
    timezone = timezone_field(
        label=_("Your time zone"),
        initial="UTC",
        help_text=_(
            "Times on your pages (alerts, notes) are shown in this zone. A patient's dates "
            "stay the patient's own calendar dates."
        ),
    )


class InvitationAcceptForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code from your clinician"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
