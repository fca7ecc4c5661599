from django import forms

from teams.models import TeamRole


class TeamInvitationForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        label="Role",
        choices=TeamRole.choices,
        initial=TeamRole.CLINICIAN,
        help_text=(
            "Clinicians see the team's patients and export records; triage members see the "
            "dashboard and alert queue and can acknowledge alerts, but not export; team admins "
            "manage the team and see no patient data through that role."
        ),
    )
