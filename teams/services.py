"""Writes of the care-team app: membership, invitations to join, patient invitations.

Every function checks the actor's own membership first and raises TeamInputError (a field
error for the form) or NoSuchTeam (the view answers 404) before writing anything.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_event
from accounts.links import site_link
from accounts.models import Invitation, Role, User
from core.errors import NON_FIELD, FieldErrors
from teams.models import Team, TeamInvitation, TeamMembership, TeamRole

TEAM_INVITATION_TTL = timedelta(days=7)


class TeamInputError(FieldErrors):
    """Refused input, with messages per field."""


class NoSuchTeam(LookupError):
    """The team, member or invitation is not one the actor may act on (a 404)."""


def _active(team: Team, user: User, *roles: str) -> bool:
    memberships = TeamMembership.objects.filter(team=team, user=user, active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def _require_admin(team: Team, actor: User) -> None:
    if not _active(team, actor, TeamRole.TEAM_ADMIN):
        raise NoSuchTeam("No such team.")


@transaction.atomic
def team_create(*, name: str, admin: User) -> Team:
    """A new team run by `admin` (the first team admin)."""
    name = (name or "").strip()
    if not name:
        raise TeamInputError({"name": ["Enter the team's name."]})
    if Team.objects.filter(name__iexact=name).exists():
        raise TeamInputError({"name": ["A team with this name already exists."]})
    team = Team.objects.create(name=name)
    TeamMembership.objects.create(team=team, user=admin, role=TeamRole.TEAM_ADMIN)
    return team


@transaction.atomic
def team_invitation_create(
    *, team: Team, email: str, role: str, invited_by: User
) -> TeamInvitation:
    """Invite `email` to join `team` as `role`; the link is e-mailed after commit."""
    _require_admin(team, invited_by)
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if role not in TeamRole.values:
        errors["role"] = ["Choose a role."]
    if not email or "@" not in email:
        errors["email"] = ["Enter an email address."]
    if errors:
        raise TeamInputError(errors)
    if TeamMembership.objects.filter(
        team=team, user__email__iexact=email, role=role, active=True
    ).exists():
        raise TeamInputError({"email": ["This person already has that role in the team."]})
    invitation = TeamInvitation.objects.create(
        team=team,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + TEAM_INVITATION_TTL,
    )
    audit_event(
        actor=invited_by,
        patient=None,
        action="team_invitation_created",
        object_type="team_invitation",
        object_id=invitation.pk,
    )
    transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def team_invitation_link(invitation: TeamInvitation) -> str:
    return site_link(reverse("teams:join", args=[invitation.token]))


def _send_invitation(invitation: TeamInvitation) -> None:
    # The link is also shown to the team admin on the team page, so a lost email costs a copy
    # and paste, not the invitation.
    role = TeamRole(invitation.role).label.lower()
    send_mail(
        f"Invitation to join {invitation.team.name}",
        (
            f"You are invited to join {invitation.team.name} on the care portal as {role}.\n\n"
            f"Sign in (or create a clinician account with this email address) and open:\n"
            f"{team_invitation_link(invitation)}\n\n"
            f"The link works once and expires on {invitation.expires_at:%d %b %Y}."
        ),
        settings.DEFAULT_FROM_EMAIL,
        [invitation.email],
        fail_silently=True,
    )


def team_invitation_for_token(token: str) -> TeamInvitation | None:
    return TeamInvitation.objects.select_related("team").filter(token=token).first()


@transaction.atomic
def team_invitation_accept(*, token: str, user: User) -> TeamMembership:
    """`user` joins the team in the invited role. The invitation works once, before it expires,
    and only for the account with the invited email address."""
    invitation = (
        TeamInvitation.objects.select_for_update()
        .select_related("team")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise NoSuchTeam("No such invitation.")
    if not invitation.is_usable():
        raise TeamInputError(
            {NON_FIELD: ["This invitation was already used or has expired. Ask for a new one."]}
        )
    if user.email.lower() != invitation.email.lower():
        raise TeamInputError(
            {NON_FIELD: [f"This invitation is for {invitation.email}. Sign in with that account."]}
        )
    if user.role != Role.CLINICIAN:
        raise TeamInputError({NON_FIELD: ["Only clinician accounts can join a care team."]})
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(
                team=invitation.team, user=user, role=invitation.role
            )
    except IntegrityError:
        membership = TeamMembership.objects.get(
            team=invitation.team, user=user, role=invitation.role, active=True
        )
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    audit_event(
        actor=user,
        patient=None,
        action="team_joined",
        object_type="team_membership",
        object_id=membership.pk,
    )
    return membership


@transaction.atomic
def team_invitation_cancel(*, team: Team, invitation_id: int, actor: User) -> None:
    _require_admin(team, actor)
    deleted, _ = TeamInvitation.objects.filter(
        pk=invitation_id, team=team, used_at__isnull=True
    ).delete()
    if not deleted:
        raise NoSuchTeam("No such invitation.")


@transaction.atomic
def membership_end(*, team: Team, membership_id: int, actor: User) -> TeamMembership:
    """A team admin removes a membership, or a member leaves (their own membership).

    Access through the team ends on the member's next request (accounts.access reads `active`
    on every query). The last team admin cannot leave the team without one."""
    membership = (
        TeamMembership.objects.select_for_update()
        .filter(pk=membership_id, team=team, active=True)
        .first()
    )
    if membership is None:
        raise NoSuchTeam("No such member.")
    if membership.user_id != actor.pk:
        _require_admin(team, actor)
    if (
        membership.role == TeamRole.TEAM_ADMIN
        and not TeamMembership.objects.filter(team=team, role=TeamRole.TEAM_ADMIN, active=True)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise TeamInputError({NON_FIELD: ["A team needs at least one team admin."]})
    membership.active = False
    membership.removed_at = timezone.now()
    membership.save(update_fields=["active", "removed_at"])
    audit_event(
        actor=actor,
        patient=None,
        action="team_left" if membership.user_id == actor.pk else "team_member_removed",
        object_type="team_membership",
        object_id=membership.pk,
    )
    return membership


@transaction.atomic
def team_patient_invitation_create(*, team: Team, member: User) -> Invitation:
    """A one-time code a patient enters on their Sharing page to share with the whole team."""
    if not _active(team, member):
        raise NoSuchTeam("No such team.")
    return Invitation.objects.create(
        clinician=member, team=team, expires_at=timezone.now() + settings.INVITATION_TTL
    )
