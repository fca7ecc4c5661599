"""The self-service account page's reads and writes: name, email, time zone, language and
reminders. Each write is atomic and checks its own input (FieldErrors, shown on the part of
the page it belongs to, or as a field-level 400 by the API)."""

from datetime import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts import changes, email_change
from accounts.audit import audit_event
from accounts.models import (
    ClinicianProfile,
    Language,
    NotificationPreference,
    PatientProfile,
    Role,
    User,
)
from core.errors import FieldErrors
from core.timezones import is_choosable_zone

PREFERENCE_FIELDS = (
    "checkin_reminder",
    "checkin_reminder_time",
    "questionnaire_reminders",
    "language",
)
REMINDER_FIELDS = ("checkin_reminder", "checkin_reminder_time", "questionnaire_reminders")


# --- reads ---------------------------------------------------------------------------------


def preference_of(user: User) -> NotificationPreference:
    """The user's preferences; the defaults (not saved) when they never changed any."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def timezone_of(user: User) -> str | None:
    """The zone name on the user's profile; None for an account without one (an admin)."""
    if user.role == Role.PATIENT:
        profile: PatientProfile | ClinicianProfile | None = getattr(user, "patient_profile", None)
    elif user.role == Role.CLINICIAN:
        profile = getattr(user, "clinician_profile", None)
    else:
        return None
    return profile.timezone if profile is not None else "UTC"


def reminder_offer_open(user: User) -> bool:
    """Whether to offer reminders (the caller checks there is a first check-in): a patient
    who has reminders off and has not answered the offer."""
    if user.role != Role.PATIENT:
        return False
    preference = preference_of(user)
    return not (
        preference.checkin_reminder
        or preference.questionnaire_reminders
        or preference.reminder_offer_dismissed_at
    )


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def user_name_update(*, user: User, full_name: str) -> User:
    full_name = full_name.strip()
    if not full_name:
        raise FieldErrors({"full_name": [gettext_noop("Please enter your name.")]})
    user.full_name = full_name[:150]
    user.save(update_fields=["full_name"])
    return user


def user_timezone_update(*, user: User, timezone_name: str) -> str:
    """Store the zone on the patient's or clinician's profile. A patient's "today" moves with
    it, so their alerts are evaluated again (accounts.changes)."""
    if not is_choosable_zone(timezone_name):
        raise FieldErrors({"timezone": [gettext_noop("Choose a time zone from the list.")]})
    with transaction.atomic():
        if user.role == Role.PATIENT:
            profile: PatientProfile | ClinicianProfile
            profile, _ = PatientProfile.objects.select_for_update().get_or_create(user=user)
            changed = profile.timezone != timezone_name
            profile.timezone = timezone_name
            profile.save(update_fields=["timezone"])
            if changed:
                changes.patient_data_changed(user.pk)
        elif user.role == Role.CLINICIAN:
            profile, _ = ClinicianProfile.objects.select_for_update().get_or_create(user=user)
            profile.timezone = timezone_name
            profile.save(update_fields=["timezone"])
        else:
            raise FieldErrors(
                {"timezone": [gettext_noop("This account has no time zone setting.")]}
            )
    return timezone_name


def _checked_preferences(user: User, current: NotificationPreference, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(PREFERENCE_FIELDS))
    for name in unknown:
        errors[name] = [gettext_noop("This setting does not exist.")]
    if "language" in data and data["language"] not in Language.values:
        errors["language"] = [gettext_noop("Choose English or Spanish.")]
    if "checkin_reminder_time" in data and not (
        data["checkin_reminder_time"] is None or isinstance(data["checkin_reminder_time"], time)
    ):
        errors["checkin_reminder_time"] = [gettext_noop("Enter a time such as 20:00.")]
    elif (
        isinstance(data.get("checkin_reminder_time"), time)
        and data["checkin_reminder_time"].tzinfo is not None
    ):
        errors["checkin_reminder_time"] = [
            gettext_noop("Enter the time without a UTC offset: it follows your time zone.")
        ]
    for name in ("checkin_reminder", "questionnaire_reminders"):
        if name in data and not isinstance(data[name], bool):
            errors[name] = [gettext_noop("Enter true or false.")]
    if errors:
        raise FieldErrors(errors)
    turning_on = any(data.get(name) for name in ("checkin_reminder", "questionnaire_reminders"))
    if turning_on and user.role != Role.PATIENT:
        raise FieldErrors(
            {
                name: [gettext_noop("Reminders are for patients' check-ins and questionnaires.")]
                for name in ("checkin_reminder", "questionnaire_reminders")
                if data.get(name)
            }
        )
    reminder_on = data.get("checkin_reminder", current.checkin_reminder)
    reminder_time = data.get("checkin_reminder_time", current.checkin_reminder_time)
    if reminder_on and reminder_time is None:
        raise FieldErrors(
            {
                "checkin_reminder_time": [
                    gettext_noop("Choose the time of day for your check-in reminder.")
                ]
            }
        )


def preferences_update(*, user: User, data: dict[str, Any]) -> NotificationPreference:
    """Change some of the user's preferences (fields of NotificationPreference)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                preference, _ = NotificationPreference.objects.select_for_update().get_or_create(
                    user=user
                )
        except IntegrityError:  # created by a concurrent request
            preference = NotificationPreference.objects.select_for_update().get(user=user)
        _checked_preferences(user, preference, data)
        for name, value in data.items():
            setattr(preference, name, value)
        if any(data.get(name) for name in ("checkin_reminder", "questionnaire_reminders")):
            preference.reminder_offer_dismissed_at = (
                preference.reminder_offer_dismissed_at or timezone.now()
            )
        preference.save(update_fields=[*data, "reminder_offer_dismissed_at"])
    return preference


def reminder_offer_dismiss(*, user: User) -> None:
    """ "No thanks" on the reminder offer: it is not shown again (reminders stay as they are)."""
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.get_or_create(user=user)
        NotificationPreference.objects.filter(
            pk=preference.pk, reminder_offer_dismissed_at__isnull=True
        ).update(reminder_offer_dismissed_at=timezone.now())


def reminders_unsubscribe(*, user: User) -> NotificationPreference:
    """The one-click unsubscribe link: every reminder e-mail stops."""
    return preferences_update(
        user=user, data={"checkin_reminder": False, "questionnaire_reminders": False}
    )


class EmailChangeRefused(FieldErrors):
    pass


def email_change_request(*, user: User, new_email: str) -> None:
    """Send the confirmation link to `new_email`; nothing changes until it is opened.

    An address with an account gets a notice instead (the requester is answered the same)."""
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    if new_email == user.email.lower():
        raise EmailChangeRefused({"email": [gettext_noop("This is already your email address.")]})
    owner = User.objects.filter(email__iexact=new_email).first()
    if owner is not None:
        email_change.email_change_taken_notice_send(owner=owner)
        return
    email_change.email_change_link_send(user=user, new_email=new_email)


def email_change_confirm(*, user: User, new_email: str) -> User:
    """The owner of the new address opened the link: the account signs in with it from now on,
    and the old address is told."""
    old_email = user.email
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if locked.email != old_email:
                raise EmailChangeRefused(
                    {"email": [gettext_noop("This link has already been used.")]}
                )
            if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
                raise EmailChangeRefused(
                    {"email": [gettext_noop("This address now belongs to another account.")]}
                )
            locked.email = new_email
            locked.save(update_fields=["email"])
            audit_event(
                actor=locked,
                patient=None,
                action="email_changed",
                object_type="user",
                object_id=locked.pk,
            )
    except IntegrityError:  # another account took the address at the same moment
        raise EmailChangeRefused(
            {"email": [gettext_noop("This address now belongs to another account.")]}
        ) from None
    user.email = new_email
    email_change.email_changed_notice_send(user=user, old_email=old_email)
    return user
