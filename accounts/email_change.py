"""Changing the sign-in email address, confirmed from the new address; and reminder unsubscribe
links.

A change of address happens only when the owner of the NEW address opens the signed link we
send there (and presses the button: a mail scanner that follows links changes nothing). The link
expires after settings.EMAIL_CHANGE_TIMEOUT and stops working once the account's address or
password changed. The OLD address is told once the change is made. An address that already has
an account gets a short notice instead of a link, and the requester sees the same "check the new
inbox" answer, so the form does not tell which addresses have accounts (as for sign-up). Emails
carry no health data; links are built from settings.SITE_URL.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from accounts.links import site_link
from accounts.models import NotificationPreference, User

logger = logging.getLogger(__name__)

_EMAIL_SALT = "accounts.email_change"
_UNSUBSCRIBE_SALT = "accounts.reminders.unsubscribe"


def _fingerprint(user: User) -> str:
    """Changes once the address changed (the link was used) or the password changed."""
    state = f"{user.pk}|{user.email}|{user.password}"
    return salted_hmac(_EMAIL_SALT, state, algorithm="sha256").hexdigest()[:24]


def email_change_token_make(*, user: User, new_email: str) -> str:
    token: str = signing.TimestampSigner(salt=_EMAIL_SALT).sign_object(
        {"u": user.pk, "e": new_email, "f": _fingerprint(user)}, compress=False
    )
    return token


def email_change_request_read(token: str) -> tuple[User, str] | None:
    """The account and new address a valid, unexpired, unused link confirms; else None."""
    try:
        payload = signing.TimestampSigner(salt=_EMAIL_SALT).unsign_object(
            token, max_age=settings.EMAIL_CHANGE_TIMEOUT
        )
        user = User.objects.get(pk=int(payload["u"]), is_active=True)
        new_email = str(payload["e"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if not constant_time_compare(str(payload.get("f", "")), _fingerprint(user)):
        return None
    return user, new_email


def _send(subject: str, body: str, to: str, *, what: str, user_id: int) -> None:
    # The page answers the same whether or not the mail server took the message; a failure is
    # logged by account id (never the address).
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # noqa: BLE001 - any transport failure
        logger.exception("email-change %s email failed for user id %s", what, user_id)


def email_change_link_send(*, user: User, new_email: str) -> None:
    token = email_change_token_make(user=user, new_email=new_email)
    link = site_link(reverse("account-email-confirm", args=[token]))
    hours = int(settings.EMAIL_CHANGE_TIMEOUT.total_seconds() // 3600)
    # Sent while the user asks for it: in the language of their page.
    body = (
        gettext(
            "Someone, hopefully you, asked to use this email address to sign in to their Care "
            "portal account."
        )
        + "\n\n"
        + gettext("To confirm, open this link within %(hours)s hours and press the button:")
        % {"hours": hours}
        + f"\n\n{link}\n\n"
        + gettext("If it was not you, ignore this email: nothing changes.")
        + "\n"
    )
    _send(gettext("Confirm your new email address"), body, new_email, what="link", user_id=user.pk)


def email_change_taken_notice_send(*, owner: User) -> None:
    """Someone asked to move another account onto this address, which already has one."""
    language = (
        NotificationPreference.objects.filter(user=owner).values_list("language", flat=True).first()
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        body = (
            gettext(
                "Someone asked to use this email address for a Care portal account, but this "
                "address already belongs to an account, so nothing was changed."
            )
            + "\n\n"
            + gettext("If it was not you, you can ignore this email.")
            + "\n"
        )
        subject = gettext("Someone tried to use your email address")
    _send(
        subject,
        body,
        owner.email,
        what="taken notice",
        user_id=owner.pk,
    )


def mask_email(address: str) -> str:
    """ "patricia@example.org" -> "p•••@example.org": enough to recognise, not to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def email_changed_notice_send(*, user: User, old_email: str) -> None:
    """Tell the previous address that the account now signs in with another one."""
    body = (
        "The email address used to sign in to your Care portal account was changed to "
        f"{mask_email(user.email)}. From now on, emails go to the new address.\n\n"
        "If you did not make this change, reset your password here and contact your clinic:\n"
        f"{site_link(reverse('password_reset'))}\n"
    )
    _send(
        "Your email address was changed",
        body,
        old_email,
        what="changed notice",
        user_id=user.pk,
    )


# --- reminder unsubscribe links (no expiry: an old email's link must still work) -----------


def unsubscribe_token_make(user: User) -> str:
    token: str = signing.Signer(salt=_UNSUBSCRIBE_SALT).sign_object({"u": user.pk})
    return token


def unsubscribe_user(token: str) -> User | None:
    """The account a genuine unsubscribe link belongs to; None when tampered with or unknown."""
    try:
        payload = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign_object(token)
        return User.objects.get(pk=int(payload["u"]))
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        return None


def unsubscribe_link(user: User) -> str:
    return site_link(reverse("account-unsubscribe", args=[unsubscribe_token_make(user)]))
