import secrets
from datetime import datetime
from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, role: str = Role.PATIENT, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", role == Role.ADMIN)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, role=role, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. `role` decides what they may see."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised by accounts.services.user_credentials_revoke (role, verification or staff flags
    # changed, account deactivated): every session and API token issued before stops working.
    credentials_epoch = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def privileges(self) -> str:
        """What this account may do, in one string; a change ends its sessions and tokens."""
        return f"{self.role}|{int(self.is_staff)}|{int(self.is_superuser)}|{self.credentials_epoch}"

    def _get_session_auth_hash(self, secret: str | bytes | None = None) -> str:
        # Django keeps a session only while this hash matches the one stored at sign-in. Django's
        # own hash covers the password; ours adds role, staff flags and the epoch, so a patient's
        # session does not live on after the account becomes a clinician or an administrator,
        # whichever code path made the change.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}|{self.privileges}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class PatientProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_profile"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    consented_at = models.DateTimeField(null=True, blank=True)
    # Alert pipeline markers: the sweep re-evaluates patients whose data changed after their
    # last evaluation, so nothing is lost while the broker is down.
    data_changed_at = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["data_changed_at"])]

    def __str__(self) -> str:
        return f"Patient profile of user {self.user_id}"


class ClinicianProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician_profile"
    )
    organisation = models.CharField(max_length=200, blank=True)
    licence_number = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # Times shown to the clinician are in this zone, labelled (docs/architecture.md#time).
    timezone = models.CharField(max_length=64, default="UTC")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Clinician profile of user {self.user_id}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Language(models.TextChoices):
    EN = "en", "English"
    ES = "es", "Español"


class NotificationPreference(models.Model):
    """A user's reminders and language (one per user; created on first use, defaults: off, en).

    Reminders are e-mailed through the alert outbox and never carry health details."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    checkin_reminder = models.BooleanField(default=False)
    checkin_reminder_time = models.TimeField(null=True, blank=True)  # the patient's local time
    questionnaire_reminders = models.BooleanField(default=False)
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    # "Want a daily reminder?" is offered on the patient's home page after the first check-in
    # until they answer it (turn reminders on, or dismiss the card).
    reminder_offer_dismissed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notification preference of user {self.user_id}"


class RemovedItemKind(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    PHQ9 = "phq9", "PHQ-9"
    FIQR = "fiqr", "FIQR"
    ACR2016 = "acr2016", "ACR 2016 questionnaire"
    MEDICATION = "medication", "Medicine"


class RemovedItem(models.Model):
    """A tombstone: the patient deleted one of their items (entered by mistake). No content:
    what kind of item, its date (a check-in's day, a questionnaire's local day, a medicine's
    start) and when it was removed, so clinicians see that something they may have read is
    gone. Deleted with the rest of the patient's data when the account is closed."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="removed_items"
    )
    kind = models.CharField(max_length=16, choices=RemovedItemKind.choices)
    item_date = models.DateField()
    removed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "removed_at"])]
        ordering = ["-removed_at", "-id"]

    def __str__(self) -> str:
        return f"Removed {self.kind} of patient {self.patient_id}"


# TeamMembership.role values that see a team's patients, and those that may also export their
# records (teams.models.TeamRole, by value: accounts sits below teams). A team admin manages
# membership and sees no patient data through that role; triage members see the panel and work
# the alert queue but do not export records (reports, CSV, FHIR).
PATIENT_FACING_TEAM_ROLES = ("clinician", "triage")
EXPORT_TEAM_ROLES = ("clinician",)


class CareLinkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class CareLink(models.Model):
    """A patient's permission for one clinician, or for a care team, to see their record.
    The patient controls it.

    With `team` set the link shares with the team (every active member with a patient-facing
    role who is a verified clinician sees the patient, accounts.access); `clinician` is then the
    member whose invitation the patient accepted, and the link grants nothing to them alone.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_links_as_patient"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_links_as_clinician"
    )
    # String reference: teams sits above accounts (docs/architecture.md#layering); the gate reads
    # the relation through the ORM and never imports the teams app.
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="care_links",
    )
    status = models.CharField(
        max_length=16, choices=CareLinkStatus.choices, default=CareLinkStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=~Q(status="revoked") & Q(team__isnull=True),
                name="one_open_carelink_per_pair",
            ),
            models.UniqueConstraint(
                fields=["patient", "team"],
                condition=~Q(status="revoked") & Q(team__isnull=False),
                name="one_open_carelink_per_team",
            ),
        ]
        indexes = [models.Index(fields=["clinician", "status"])]

    def __str__(self) -> str:
        return f"Care link {self.pk} ({self.status})"

    @property
    def shared_with(self) -> str:
        """Who the patient shares with, as the patient reads it (load `team` and `clinician`)."""
        if self.team_id is not None and self.team is not None:
            return self.team.name
        return self.clinician.display_name


def _new_invitation_code() -> str:
    # 10 characters from an unambiguous alphabet: easy to read out, ~50 bits of entropy.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Invitation(models.Model):
    """A one-time code a clinician gives a patient so the patient can share their record."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    # Set: the patient who accepts shares with this care team (CareLink.team), not with the
    # issuing member alone.
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="patient_invitations",
    )
    code = models.CharField(max_length=16, unique=True, default=_new_invitation_code)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Invitation {self.pk}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class AuditTrailIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit row through the application."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    # HIPAA 164.312(b): audit controls. Rows are only ever added; bulk changes are refused too.
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who read or changed which patient's record, when and from where. Never the content.

    Append-only: saving an existing row or deleting one raises AuditTrailIsAppendOnly.
    """

    # PROTECT: a user who appears in the trail cannot be deleted (the admin deactivates them
    # instead, accounts.admin.UserAdmin). The copies below keep who it was even if a row's key
    # were ever cleared by hand in the database. Null actor: a system action.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_email = models.EmailField(blank=True)
    patient_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    # The care team through which a clinician saw the patient (CareLink.team), by name as it
    # was then; blank for a link of the clinician's own, the patient, or an administrator.
    team_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_user_id} on {self.patient_user_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        # accounts.audit fills these; a row created any other way gets them here.
        if self.actor_user_id is None and self.actor is not None:
            self.actor_user_id = self.actor.pk
            self.actor_email = self.actor.email
        if self.patient_user_id is None and self.patient_id is not None:
            self.patient_user_id = self.patient_id
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class TokenGrant(models.Model):
    """How an API token was issued. DRF's Token model has no room for it, so it sits beside it.

    `second_factor`: the token was issued with a verified code (clinicians and administrators
    need one, accounts.tokens.ExpiringTokenAuthentication). `privileges`: User.privileges at
    issue; a token whose user has since changed role, flags or epoch is refused.
    """

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, primary_key=True, related_name="grant"
    )
    second_factor = models.BooleanField(default=False)
    privileges = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Token grant (second factor: {self.second_factor})"
