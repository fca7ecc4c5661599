"""Reads of the care-team app. Team pages show members and invitations, never patient data."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Invitation, User
from teams.models import Team, TeamInvitation, TeamMembership, TeamRole


def teams_of(user: User) -> QuerySet[Team]:
    """Teams in which `user` holds an active membership."""
    return Team.objects.filter(memberships__user=user, memberships__active=True).distinct()


def team_of_or_none(user: User, team_id: object) -> Team | None:
    try:
        pk = int(team_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return teams_of(user).filter(pk=pk).first()


@dataclass(frozen=True)
class TeamPage:
    team: Team
    roles: frozenset[str]  # the viewer's roles in the team
    members: list[TeamMembership]
    invitations: list[TeamInvitation]  # pending invitations to join (team admins only)
    patient_codes: list[Invitation]  # the viewer's unused patient codes for the team

    @property
    def is_admin(self) -> bool:
        return TeamRole.TEAM_ADMIN in self.roles


def team_page(team: Team, viewer: User) -> TeamPage:
    members = list(
        TeamMembership.objects.filter(team=team, active=True)
        .select_related("user", "user__clinician_profile")
        .order_by("user__full_name", "user__email", "role")
    )
    roles = frozenset(m.role for m in members if m.user_id == viewer.pk)
    invitations: list[TeamInvitation] = []
    if TeamRole.TEAM_ADMIN in roles:
        invitations = list(
            TeamInvitation.objects.filter(
                team=team, used_at__isnull=True, expires_at__gt=timezone.now()
            ).order_by("-created_at")
        )
    codes = list(
        Invitation.objects.filter(
            team=team, clinician=viewer, used_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")[:20]
    )
    return TeamPage(team, roles, members, invitations, codes)
