"""Team pages (/team/): members, invitations to join, codes for patients. No patient data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.links import site_link
from accounts.models import Role, User
from core.errors import FieldErrors
from core.forms import submit_form
from core.http import AuthenticatedHttpRequest
from teams import selectors, services
from teams.forms import TeamInvitationForm
from teams.models import Team


def _team_or_404(request: AuthenticatedHttpRequest[User], team_id: int) -> Team:
    team = selectors.team_of_or_none(request.user, team_id)
    if team is None:
        raise Http404("No such team.")
    return team


def _refused(request: AuthenticatedHttpRequest[User], error: FieldErrors) -> None:
    messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))


@login_required
@role_required(Role.CLINICIAN)
def team_home(request: AuthenticatedHttpRequest[User]) -> HttpResponse:
    teams = list(selectors.teams_of(request.user))
    if len(teams) == 1:
        return redirect("teams:detail", team_id=teams[0].pk)
    return render(request, "teams/home.html", {"teams": teams})


@login_required
@role_required(Role.CLINICIAN)
def team_detail(request: AuthenticatedHttpRequest[User], team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    page = selectors.team_page(team, request.user)
    return render(
        request,
        "teams/team.html",
        {
            "page": page,
            "form": TeamInvitationForm(),
            "join_links": {inv.pk: services.team_invitation_link(inv) for inv in page.invitations},
            "site_root": site_link(""),
        },
    )


@login_required
@role_required(Role.CLINICIAN)
@require_POST
def team_invite(request: AuthenticatedHttpRequest[User], team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    page = selectors.team_page(team, request.user)
    if not page.is_admin:
        raise Http404("No such team.")
    form = TeamInvitationForm(request.POST)
    invitation = submit_form(
        form,
        lambda data: services.team_invitation_create(
            team=team, email=data["email"], role=data["role"], invited_by=request.user
        ),
    )
    if invitation is None:
        return render(
            request,
            "teams/team.html",
            {"page": page, "form": form, "join_links": {}, "site_root": site_link("")},
            status=400,
        )
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("teams:detail", team_id=team.pk)


@login_required
@role_required(Role.CLINICIAN)
@require_POST
def team_invitation_cancel(
    request: AuthenticatedHttpRequest[User], team_id: int, invitation_id: int
) -> HttpResponse:
    team = _team_or_404(request, team_id)
    try:
        services.team_invitation_cancel(team=team, invitation_id=invitation_id, actor=request.user)
    except services.NoSuchTeam:
        raise Http404("No such invitation.") from None
    messages.success(request, "Invitation cancelled.")
    return redirect("teams:detail", team_id=team.pk)


@login_required
@role_required(Role.CLINICIAN)
@require_POST
def membership_end(
    request: AuthenticatedHttpRequest[User], team_id: int, membership_id: int
) -> HttpResponse:
    team = _team_or_404(request, team_id)
    try:
        membership = services.membership_end(
            team=team, membership_id=membership_id, actor=request.user
        )
    except services.NoSuchTeam:
        raise Http404("No such member.") from None
    except FieldErrors as error:
        _refused(request, error)
        return redirect("teams:detail", team_id=team.pk)
    if membership.user_id == request.user.pk:
        messages.success(request, f"You left {team.name} in that role.")
        return redirect("teams:home")
    messages.success(request, "Member removed. Their access ends on their next request.")
    return redirect("teams:detail", team_id=team.pk)


@login_required
@role_required(Role.CLINICIAN)
@require_POST
def patient_code_create(request: AuthenticatedHttpRequest[User], team_id: int) -> HttpResponse:
    team = _team_or_404(request, team_id)
    invitation = services.team_patient_invitation_create(team=team, member=request.user)
    messages.success(
        request, f"New code for a patient to share with {team.name}: {invitation.code}"
    )
    return redirect("teams:detail", team_id=team.pk)


@login_required
@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def team_join(request: AuthenticatedHttpRequest[User], token: str) -> HttpResponse:
    invitation = services.team_invitation_for_token(token)
    if invitation is None:
        raise Http404("No such invitation.")
    if request.method == "POST":
        try:
            membership = services.team_invitation_accept(token=token, user=request.user)
        except services.NoSuchTeam:
            raise Http404("No such invitation.") from None
        except FieldErrors as error:
            _refused(request, error)
        else:
            messages.success(request, f"You joined {membership.team.name}.")
            return redirect("teams:detail", team_id=membership.team_id)
    return render(request, "teams/join.html", {"invitation": invitation})
