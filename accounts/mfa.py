"""Two-step verification (TOTP, RFC 6238) for clinicians and administrators.

HIPAA 164.312(d) asks for person authentication; OWASP ASVS 2.7/2.8 for a second factor on
privileged accounts. A clinician or administrator must verify a code from an authenticator app
once per session before any patient data or the admin (portal.middleware.MFARequiredMiddleware),
and API tokens for them are only issued with a code (accounts.api.ObtainTokenView).

Recovery codes are single-use, shown once, and stored only as keyed hashes (HMAC with the
SECRET_KEY): a copy of the database alone does not reveal them. Rotating SECRET_KEY therefore
invalidates unused recovery codes; the user signs in with the app and makes new ones.
"""

import base64
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.http import AnyUser
from accounts.models import Role, User

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
TOTP_DEVICE_NAME = "Authenticator app"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
_RECOVERY_GROUPS = 3
_RECOVERY_GROUP_LENGTH = 4
_HASH_SALT = "accounts.mfa.recovery-code"

# A published secret for the demo clinician and administrator only (README, `make run`):
# `python manage.py demo_otp <email>` prints its current code. Never used for real accounts.
DEMO_TOTP_SECRET = "DEMOPORTALTOTPKEYDEMOPORTALTOTPK"  # noqa: S105 - published demo value


def mfa_required_for(user: AnyUser | None) -> bool:
    """Clinicians and administrators must verify a second factor (when MFA_REQUIRED is on)."""
    if not settings.MFA_REQUIRED:
        return False
    if not isinstance(user, User):  # anonymous
        return False
    return user.role in (Role.CLINICIAN, Role.ADMIN) or user.is_staff or user.is_superuser


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return confirmed_totp_device(user) is not None


@transaction.atomic
def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first visit, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the otpauth:// URL (no script, no style attribute: strict CSP)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=4,
    )
    svg: str = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code to add this account to your authenticator app" '
        'class="qr-code" ',
        1,
    )


def totp_code_now(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The code the user's app shows (for demo_otp and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def _clean_code(code: object) -> str:
    if not isinstance(code, str):
        code = "" if code is None else str(code)
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    # StaticToken.token holds 16 characters: 64 bits of a keyed hash of a ~59-bit code.
    return salted_hmac(_HASH_SALT, _clean_code(code), algorithm="sha256").hexdigest()[:16]


def _new_recovery_code() -> str:
    groups = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
        for _ in range(_RECOVERY_GROUPS)
    ]
    return "-".join(groups)


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them in clear, once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_hash(code)) for code in codes]
    )
    return codes


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


@transaction.atomic
def totp_device_confirm(*, user: User, code: str) -> TOTPDevice | None:
    """Confirm the pending device with a first code; None when the code does not match."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(_clean_code(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_code(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (an app code or an unused recovery code), else None.

    Each device throttles its own failures (django-otp: exponential back-off), and a recovery
    code is deleted when used.
    """
    cleaned = _clean_code(code)
    if not cleaned:
        return None
    if cleaned.isdigit():
        device = confirmed_totp_device(user)
        if device is not None and device.verify_token(cleaned):
            return device
        return None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(recovery_code_hash(cleaned)):
            return device
    return None


@transaction.atomic
def demo_totp_device_seed(*, user: User) -> TOTPDevice:
    """Give a demo account a confirmed device with the published DEMO_TOTP_SECRET."""
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    device = TOTPDevice.objects.filter(user=user, key=key).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True
        )
    return device


def is_demo_device(device: TOTPDevice) -> bool:
    key: str = device.key
    return key == base64.b32decode(DEMO_TOTP_SECRET).hex()
