"""Enrol an authenticator app, verify a code each session, see recovery codes once."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device

from accounts import mfa, ratelimits
from accounts.audit import audit_event
from accounts.http import AuthenticatedHttpRequest
from accounts.mfa_forms import CodeForm, VerifyForm
from accounts.models import Role, User

NEW_CODES_SESSION_KEY = "_mfa_new_recovery_codes"


def _mfa_user(user: User) -> bool:
    return user.role in (Role.CLINICIAN, Role.ADMIN) or user.is_staff or user.is_superuser


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _is_verified(user: User) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _verified_login(request: HttpRequest, device: Device) -> None:
    """Mark the session verified under a new session key (OWASP ASVS 3.2.1).

    The key seen before the second factor belongs to a password-only session; cycling it means
    a key captured at that stage (or fixed by an attacker) never becomes a verified session.
    """
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrolment: QR code and secret, confirmed with a first code; then recovery codes."""
    if not _mfa_user(request.user):
        raise Http404("Page not found.")
    if mfa.has_confirmed_device(request.user):
        if not _is_verified(request.user):
            return redirect("mfa-verify")
        return render(
            request,
            "accounts/mfa_status.html",
            {"codes_left": mfa.recovery_codes_left(request.user)},
        )
    device = mfa.totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = mfa.totp_device_confirm(user=request.user, code=form.cleaned_data["code"])
        if confirmed is None:
            form.add_error(
                "code",
                "That code did not match. Check the time on your phone and enter the newest code.",
            )
        else:
            _verified_login(request, confirmed)
            request.session[NEW_CODES_SESSION_KEY] = mfa.recovery_codes_create(user=request.user)
            audit_event(actor=request.user, patient=None, action="mfa.enrolled", request=request)
            query = urlencode({"next": _safe_next(request)})
            return redirect(f"{reverse('mfa-recovery-codes')}?{query}")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret_text(device),
            "next": _safe_next(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not _mfa_user(request.user):
        raise Http404("Page not found.")
    if not mfa.has_confirmed_device(request.user):
        return redirect("mfa-setup")
    form = VerifyForm(request.POST or None)
    if request.method == "POST":
        # Counted per account, before the code is looked at: many sessions or addresses do not
        # add guesses (django-otp also backs off per device).
        limited = ratelimits.hit(
            request, ratelimits.MFA_VERIFY, ratelimits.by_account(request.user)
        )
        if limited:
            return ratelimits.limited_page(request, limited)
    if request.method == "POST" and form.is_valid():
        device = mfa.verify_code(user=request.user, code=form.cleaned_data["code"])
        if device is None:
            form.add_error(
                "code",
                "That code did not work. Enter the newest code from your app, "
                "or an unused recovery code.",
            )
        else:
            _verified_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = mfa.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. Make new ones from Two-step "
                    "verification when you can.",
                )
            return redirect(_safe_next(request))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows new codes once (taken from the session); POST makes a new set."""
    if not _mfa_user(request.user) or not _is_verified(request.user):
        raise Http404("Page not found.")
    if request.method == "POST":
        request.session[NEW_CODES_SESSION_KEY] = mfa.recovery_codes_create(user=request.user)
        return redirect("mfa-recovery-codes")
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {
            "codes": codes,
            "next": _safe_next(request),
            "codes_left": mfa.recovery_codes_left(request.user),
        },
    )
