"""Care teams: a clinic shares one panel of patients (docs/architecture.md#care-teams).

A patient shares with a team through a `accounts.models.CareLink` whose `team` is set; every
active member of that team with a patient-facing role (clinician, triage) who is a verified
clinician then sees the patient. The gate itself is `accounts.access.patients_visible_to`.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TeamRole(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    TRIAGE = "triage", "Triage"
    TEAM_ADMIN = "team_admin", "Team admin"


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """One role of one user in one team. A clinician who also runs the team has two rows.

    Removal sets `active` to False (kept for the record); access ends on the next request.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(max_length=16, choices=TeamRole.choices)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user", "role"],
                condition=Q(active=True),
                name="one_active_membership_per_role",
            )
        ]
        indexes = [models.Index(fields=["user", "active"])]

    def __str__(self) -> str:
        return f"Membership {self.pk} ({self.role}, {'active' if self.active else 'removed'})"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class TeamInvitation(models.Model):
    """An invitation by email to join a team in a role: expiring, one-time."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=TeamRole.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Team invitation {self.pk}"

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at
