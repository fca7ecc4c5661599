"""Writes for accounts: sign-up, verification, invitations and care links."""

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from accounts import confirmation
from accounts.audit import audit_event
from accounts.http import AnyRequest
from accounts.models import (
    AuditEvent,
    CareLink,
    CareLinkStatus,
    ClinicianProfile,
    Invitation,
    Language,
    NotificationPreference,
    PatientProfile,
    Role,
    User,
)
from accounts.tokens import token_revoke
from core.errors import NON_FIELD, FieldErrors


class AccountInputError(FieldErrors):
    """A request the account rules refuse, as messages per field (the page shows them on its
    form, core.forms.submit_form)."""


class EmailTaken(AccountInputError):
    """Sign-up with an address that already has an account (the view answers as for a new one)."""

    def __init__(self) -> None:
        super().__init__({"email": ["An account with this email address already exists."]})


class NoSuchCareLink(LookupError):
    """No open link of that patient has that id (pages answer 404: ids reveal nothing)."""


def existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip()).first()


def _create_user(*, email: str, password: str, full_name: str, role: str) -> User:
    """A new account, inactive until its owner confirms the address (accounts.confirmation)."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, role=role, full_name=full_name, is_active=False
            )
    except IntegrityError:
        # Two sign-ups racing for the same address: the unique index decides.
        raise EmailTaken() from None


@transaction.atomic
def patient_signup(
    *,
    email: str,
    password: str,
    full_name: str,
    date_of_birth: date | None,
    timezone_name: str,
    consent: bool,
) -> User:
    if not consent:
        raise AccountInputError(
            {"consent": ["Please confirm you agree before creating an account."]}
        )
    user = _create_user(email=email, password=password, full_name=full_name, role=Role.PATIENT)
    PatientProfile.objects.create(
        user=user,
        date_of_birth=date_of_birth,
        timezone=timezone_name,
        consented_at=timezone.now(),
    )
    return user


@transaction.atomic
def clinician_signup(
    *,
    email: str,
    password: str,
    full_name: str,
    organisation: str = "",
    licence_number: str = "",
    timezone_name: str = "UTC",
) -> User:
    user = _create_user(email=email, password=password, full_name=full_name, role=Role.CLINICIAN)
    ClinicianProfile.objects.create(
        user=user,
        organisation=organisation,
        licence_number=licence_number,
        timezone=timezone_name,
    )
    return user


def signup_request(*, email: str, password: str, create: Callable[[], User]) -> User | None:
    """A valid sign-up form, answered the same whoever owns `email` (issue 10, finding 8).

    A new address gets an inactive account (made by `create`) and a confirmation link; an address
    that already has an account gets a "someone tried to sign up" notice instead, after hashing
    the password anyway so that the time taken does not tell the two apart. Returns the new user,
    or None for an existing address; other field errors raise AccountInputError.
    """
    existing = existing_account(email)
    if existing is None:
        try:
            user = create()
        except EmailTaken:  # lost a race with another sign-up for the same address
            existing = existing_account(email)
        else:
            # The language the person signed up in becomes their saved language (reminders
            # and e-mails follow it); English is the default and needs no row.
            language = translation.get_language()
            if language in Language.values and language != Language.EN:
                NotificationPreference.objects.get_or_create(
                    user=user, defaults={"language": language}
                )
            confirmation.confirmation_email_send(user)
            return user
    make_password(password)  # the same work as creating an account
    if existing is not None:
        confirmation.signup_attempt_notice_send(existing)
    return None


@transaction.atomic
def signup_confirm(*, user: User) -> User:
    """The owner of the address opened the confirmation link: the account may now sign in."""
    updated = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    if updated:
        user.is_active = True
        audit_event(
            actor=user,
            patient=None,
            action="signup_confirmed",
            object_type="user",
            object_id=user.pk,
        )
    return user


@transaction.atomic
def clinician_verify(*, clinician: User, verified_by: User | None) -> ClinicianProfile:
    profile, _ = ClinicianProfile.objects.get_or_create(user=clinician)
    if profile.verified_at is None:
        profile.verified_at = timezone.now()
        profile.verified_by = verified_by
        profile.save(update_fields=["verified_at", "verified_by"])
        # Verification grants access to patient data: anything issued before it is retired.
        user_credentials_revoke(user=clinician)
        audit_event(
            actor=verified_by,
            patient=None,
            action="clinician_verified",
            object_type="user",
            object_id=clinician.pk,
        )
    return profile


@transaction.atomic
def invitation_create(*, clinician: User) -> Invitation:
    profile = getattr(clinician, "clinician_profile", None)
    if clinician.role != Role.CLINICIAN or profile is None or profile.verified_at is None:
        raise AccountInputError(
            {
                NON_FIELD: [
                    "Your account is awaiting verification by an administrator; "
                    "you can invite patients once it is verified."
                ]
            }
        )
    return Invitation.objects.create(
        clinician=clinician, expires_at=timezone.now() + settings.INVITATION_TTL
    )


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def invitation_accept(*, patient: User, code: str) -> CareLink:
    """The patient shares their record with the clinician who issued `code`."""
    if patient.role != Role.PATIENT:
        raise AccountInputError({"code": ["Only patients can accept an invitation."]})
    invitation = (
        # Lock the invitation row only: the team is on the nullable side of an outer join.
        Invitation.objects.select_for_update(of=("self",))
        .select_related("clinician", "team")
        .filter(code=normalise_code(code))
        .first()
    )
    if invitation is None:
        raise AccountInputError(
            {"code": ["We could not find that invitation code. Check it and try again."]}
        )
    if invitation.is_used:
        raise AccountInputError({"code": ["This invitation code has already been used."]})
    if invitation.is_expired():
        raise AccountInputError(
            {"code": ["This invitation code has expired. Ask your clinician for a new one."]}
        )
    clinician = invitation.clinician
    open_links = CareLink.objects.filter(patient=patient).exclude(status=CareLinkStatus.REVOKED)
    if invitation.team_id is not None:
        if open_links.filter(team_id=invitation.team_id).exists():
            raise AccountInputError({"code": ["You already share your record with this team."]})
    elif open_links.filter(clinician=clinician, team__isnull=True).exists():
        raise AccountInputError({"code": ["You already share your record with this clinician."]})
    now = timezone.now()
    link = CareLink.objects.create(
        patient=patient,
        clinician=clinician,
        team_id=invitation.team_id,
        status=CareLinkStatus.ACTIVE,
        activated_at=now,
    )
    invitation.used_at = now
    invitation.used_by = patient
    invitation.save(update_fields=["used_at", "used_by"])
    audit_event(
        actor=patient,
        patient=patient,
        action="care_link_created",
        object_type="care_link",
        object_id=link.pk,
    )
    return link


@transaction.atomic
def care_link_accept(*, patient: User, link_id: int) -> CareLink:
    """The patient accepts a pending link (proposed by an administrator): sharing starts."""
    link = (
        CareLink.objects.select_for_update()
        .filter(pk=link_id, patient=patient, status=CareLinkStatus.PENDING)
        .first()
    )
    if link is None:
        raise NoSuchCareLink("That sharing request does not exist or was already answered.")
    link.status = CareLinkStatus.ACTIVE
    link.activated_at = timezone.now()
    link.save(update_fields=["status", "activated_at"])
    audit_event(
        actor=patient,
        patient=patient,
        action="care_link_accepted",
        object_type="care_link",
        object_id=link.pk,
    )
    return link


@transaction.atomic
def care_link_revoke(*, patient: User, link_id: int, actor: User | None = None) -> CareLink:
    """Stop sharing (or decline a pending request). Takes effect on the clinician's next request
    (access is checked per query). `actor`: an administrator acting for the patient."""
    link = (
        CareLink.objects.select_for_update()
        .filter(pk=link_id, patient=patient)
        .exclude(status=CareLinkStatus.REVOKED)
        .first()
    )
    if link is None:
        raise NoSuchCareLink("That sharing link does not exist or was already removed.")
    link.status = CareLinkStatus.REVOKED
    link.revoked_at = timezone.now()
    link.save(update_fields=["status", "revoked_at"])
    audit_event(
        actor=actor or patient,
        patient=patient,
        action="care_link_revoked",
        object_type="care_link",
        object_id=link.pk,
    )
    return link


# Fields of User whose change alters what the account may do (verification is on its profile).
PRIVILEGE_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


def privileges_changed(*, before: User | None, after: User) -> bool:
    if before is None:
        return False
    return any(getattr(before, name) != getattr(after, name) for name in PRIVILEGE_FIELDS)


@transaction.atomic
def user_credentials_revoke(*, user: User) -> None:
    """End every session and API token of `user` (their access changed).

    Raising the epoch changes the user's session hash (User._get_session_auth_hash), so Django
    drops every session on its next request; tokens are deleted outright.
    """
    User.objects.filter(pk=user.pk).update(credentials_epoch=F("credentials_epoch") + 1)
    user.refresh_from_db(fields=["credentials_epoch"])
    token_revoke(user=user)


def user_in_audit_trail(user: User) -> bool:
    """Whether `user` appears in the audit trail, as the reader or as the patient read."""
    return (
        AuditEvent.objects.filter(actor_user_id=user.pk).exists()
        or AuditEvent.objects.filter(patient_user_id=user.pk).exists()
    )


@transaction.atomic
def user_deactivate(*, user: User, by: User | None, request: AnyRequest | None = None) -> User:
    """Close an account without erasing it: it can no longer sign in, and its sessions and
    tokens end. Used instead of deletion for anyone the audit trail names."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    user_credentials_revoke(user=user)
    audit_event(
        actor=by,
        patient=user if user.role == Role.PATIENT else None,
        action="user_deactivated",
        object_type="user",
        object_id=user.pk,
        request=request,
    )
    return user
