from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import confirmation, ratelimits, selectors, services
from accounts.decorators import role_required
from accounts.forms import ClinicianSignupForm, InvitationAcceptForm, PatientSignupForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from core.errors import FieldErrors
from core.forms import submit_form


def signup(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup.html")


def _signup_submitted(
    request: HttpRequest, form: PatientSignupForm | ClinicianSignupForm, create: Callable[[], User]
) -> HttpResponse | None:
    """The same "check your email" answer for a new and an existing address; None when the
    form has field errors to show."""
    limited = ratelimits.hit(request, ratelimits.SIGNUP)
    if limited:
        return ratelimits.limited_page(request, limited)
    data = form.cleaned_data
    # Not submit_form: signup_request answers None for an address that has an account, which
    # is a success here (the same page), not a form error.
    try:
        services.signup_request(email=data["email"], password=data["password"], create=create)
    except FieldErrors as error:
        error.add_to_form(form)
        return None
    return redirect("signup-check-email")


@require_http_methods(["GET", "POST"])
def signup_patient(request: HttpRequest) -> HttpResponse:
    form = PatientSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _signup_submitted(
            request,
            form,
            lambda: services.patient_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                timezone_name=data["timezone"],
                consent=data["consent"],
            ),
        )
        if response is not None:
            return response
    return render(request, "accounts/signup_patient.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_clinician(request: HttpRequest) -> HttpResponse:
    form = ClinicianSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        response = _signup_submitted(
            request,
            form,
            lambda: services.clinician_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                licence_number=data["licence_number"],
                timezone_name=data["timezone"],
            ),
        )
        if response is not None:
            return response
    return render(request, "accounts/signup_clinician.html", {"form": form})


@require_GET
def signup_check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/signup_check_email.html",
        {"confirm_days": settings.SIGNUP_CONFIRM_TIMEOUT.days},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST activates, so a mail scanner that follows links
    cannot confirm an account on the address owner's behalf."""
    user = confirmation.confirmation_user(token)
    if user is None:
        return render(request, "accounts/signup_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.signup_confirm(user=user)
        if user.role == Role.CLINICIAN:
            messages.success(
                request,
                "Your email address is confirmed. Sign in to continue; an administrator will "
                "verify your account before you see any patient data.",
            )
        else:
            messages.success(
                request, gettext("Your email address is confirmed. Sign in to continue.")
            )
        return redirect("login")
    return render(request, "accounts/signup_confirm.html", {"invalid": False})


@login_required
@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def sharing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The patient decides who sees their record: accept an invitation, see links, revoke."""
    patient = request.user
    form = InvitationAcceptForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST":
        # Counted per account before the code is looked at: codes cannot be guessed in bulk.
        limited = ratelimits.hit(
            request, ratelimits.INVITATION_ACCEPT, ratelimits.by_account(patient)
        )
        if limited:
            return ratelimits.limited_page(request, limited)
        link = submit_form(
            form, lambda data: services.invitation_accept(patient=patient, code=data["code"])
        )
        if link is not None:
            messages.success(
                request,
                gettext("You now share your record with %(name)s.") % {"name": link.shared_with},
            )
            return redirect("sharing")
    links = selectors.care_links_for_patient(patient)
    return render(request, "accounts/sharing.html", {"form": form, "links": links})


@login_required
@role_required(Role.PATIENT)
@require_POST
def sharing_revoke(request: AuthenticatedHttpRequest, link_id: int) -> HttpResponse:
    try:
        link = services.care_link_revoke(patient=request.user, link_id=link_id)
    except services.NoSuchCareLink:
        raise Http404("No such sharing link.") from None
    messages.success(
        request, gettext("%(name)s can no longer see your record.") % {"name": link.shared_with}
    )
    return redirect("sharing")


@login_required
@role_required(Role.PATIENT)
@require_POST
def sharing_accept(request: AuthenticatedHttpRequest, link_id: int) -> HttpResponse:
    """Accept a sharing request an administrator set up; declining is `sharing_revoke`."""
    try:
        link = services.care_link_accept(patient=request.user, link_id=link_id)
    except services.NoSuchCareLink:
        raise Http404("No such sharing request.") from None
    messages.success(
        request, gettext("You now share your record with %(name)s.") % {"name": link.shared_with}
    )
    return redirect("sharing")


def invitation_landing(request: HttpRequest, code: str) -> HttpResponse:
    """The link a clinician sends: patients land on the sharing page with the code filled in."""
    if isinstance(request.user, User) and request.user.role == Role.PATIENT:
        return redirect(f"/patient/sharing/?code={services.normalise_code(code)}")
    return render(
        request, "accounts/invitation_landing.html", {"code": services.normalise_code(code)}
    )


@login_required
@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def clinician_invitations(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            invitation = services.invitation_create(clinician=request.user)
        except FieldErrors as error:
            # No form on this page: the refusal is a message.
            messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
        else:
            messages.success(request, f"New invitation code: {invitation.code}")
        return redirect("clinician-invitations")
    invitations = selectors.open_invitations_for_clinician(request.user)[:20]
    return render(request, "accounts/clinician_invitations.html", {"invitations": invitations})
