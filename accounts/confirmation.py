"""Sign-up confirmation by email, and the notice sent when an address already has an account.

A new account stays inactive (it cannot sign in) until its owner opens the signed link emailed to
the address. An address that already has an account gets a short "someone tried to sign up"
notice instead. Both paths show the requester the same "check your email" page, so sign-up does
not reveal who has an account (issue 10, finding 8). Emails carry no health data and no name;
every link is built from settings.SITE_URL, never from the request's Host header.
"""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from accounts.models import NotificationPreference, User

logger = logging.getLogger(__name__)

_SALT = "accounts.confirmation.signup"


def _fingerprint(user: User) -> str:
    """Changes once the link has been used (is_active) or the account changed under it."""
    state = f"{user.pk}|{user.email}|{user.password}|{user.is_active}|{user.last_login}"
    return salted_hmac(_SALT, state, algorithm="sha256").hexdigest()[:24]


def confirmation_token_make(user: User) -> str:
    token: str = signing.TimestampSigner(salt=_SALT).sign_object(
        {"u": user.pk, "f": _fingerprint(user)}, compress=False
    )
    return token


def confirmation_user(token: str) -> User | None:
    """The inactive account a valid, unexpired, unused link confirms; else None."""
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign_object(
            token, max_age=settings.SIGNUP_CONFIRM_TIMEOUT
        )
        user = User.objects.get(pk=int(payload["u"]))
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    if user.is_active or user.last_login is not None:
        return None
    if not constant_time_compare(payload.get("f", ""), _fingerprint(user)):
        return None
    return user


def site_link(path: str) -> str:
    site_url: str = settings.SITE_URL
    return site_url.rstrip("/") + path


def _language_of(user: User) -> str:
    saved = NotificationPreference.objects.filter(user=user).values_list("language", flat=True)
    return saved.first() or translation.get_language() or settings.LANGUAGE_CODE


def _send(subject: str, body: str, to: str, *, what: str, user_id: int) -> None:
    # Both sign-up paths answer the same page whether or not the mail server took the message;
    # a failure is logged by account id (never the address) for the administrator to follow up.
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # noqa: BLE001 - any transport failure
        logger.exception("sign-up %s email failed for user id %s", what, user_id)


def confirmation_email_send(user: User) -> None:
    link = site_link(reverse("signup-confirm", args=[confirmation_token_make(user)]))
    days = settings.SIGNUP_CONFIRM_TIMEOUT.days
    # In the language the sign-up page was shown in (the person has no saved preference yet).
    body = (
        gettext("Someone, hopefully you, created a Care portal account with this email address.")
        + "\n\n"
        + gettext(
            "To confirm the address and finish creating the account, open this link within "
            "%(days)s days:"
        )
        % {"days": days}
        + f"\n\n{link}\n\n"
        + gettext(
            "If it was not you, ignore this email: the account will not be usable and nothing "
            "else happens."
        )
        + "\n"
    )
    _send(
        gettext("Confirm your email address for the Care portal"),
        body,
        user.email,
        what="confirmation",
        user_id=user.pk,
    )


def signup_attempt_notice_send(user: User) -> None:
    """Tell the owner of an existing account that someone tried to sign up with its address."""
    # In the language of the account's owner.
    with translation.override(_language_of(user)):
        body = (
            gettext(
                "Someone tried to create a new Care portal account with this email address, but "
                "you already have an account, so no new account was created."
            )
            + "\n\n"
            + gettext("If it was you, sign in here:")
            + f"\n{site_link(reverse('login'))}\n\n"
            + gettext("If you forgot your password, you can choose a new one here:")
            + f"\n{site_link(reverse('password_reset'))}\n\n"
            + gettext(
                "If you signed up recently and have not confirmed your address yet, open the "
                "link in our first email."
            )
            + "\n\n"
            + gettext(
                "If it was not you, you can ignore this email: nothing has changed in your account."
            )
            + "\n"
        )
        subject = gettext("Someone tried to sign up with your email address")
    _send(
        subject,
        body,
        user.email,
        what="attempt notice",
        user_id=user.pk,
    )
