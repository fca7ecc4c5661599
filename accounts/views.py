from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .decorators import role_required
from .forms import ClinicianSignupForm, InvitationAcceptForm, PatientSignupForm
from .models import Role


def _apply_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def signup(request):
    return render(request, "accounts/signup.html")


@require_http_methods(["GET", "POST"])
def signup_patient(request):
    form = PatientSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.patient_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                date_of_birth=data["date_of_birth"],
                timezone_name=data["timezone"],
                consent=data["consent"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome. Your account is ready.")
            return redirect("home")
    return render(request, "accounts/signup_patient.html", {"form": form})


@require_http_methods(["GET", "POST"])
def signup_clinician(request):
    form = ClinicianSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.clinician_signup(
                email=data["email"],
                password=data["password"],
                full_name=data["full_name"],
                organisation=data["organisation"],
                licence_number=data["licence_number"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.info(request, "Your account is awaiting verification by an administrator.")
            return redirect("home")
    return render(request, "accounts/signup_clinician.html", {"form": form})


@login_required
@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def sharing(request):
    """The patient decides who sees their record: accept an invitation, see links, revoke."""
    form = InvitationAcceptForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        try:
            link = services.invitation_accept(patient=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, f"You now share your record with {link.clinician.display_name}."
            )
            return redirect("sharing")
    links = selectors.care_links_for_patient(request.user)
    return render(request, "accounts/sharing.html", {"form": form, "links": links})


@login_required
@role_required(Role.PATIENT)
@require_POST
def sharing_revoke(request, link_id):
    try:
        link = services.care_link_revoke(patient=request.user, link_id=link_id)
    except ValidationError:
        raise Http404("No such sharing link.") from None
    messages.success(request, f"{link.clinician.display_name} can no longer see your record.")
    return redirect("sharing")


@login_required
@role_required(Role.PATIENT)
@require_POST
def sharing_accept(request, link_id):
    """Accept a sharing request an administrator set up; declining is `sharing_revoke`."""
    try:
        link = services.care_link_accept(patient=request.user, link_id=link_id)
    except ValidationError:
        raise Http404("No such sharing request.") from None
    messages.success(request, f"You now share your record with {link.clinician.display_name}.")
    return redirect("sharing")


def invitation_landing(request, code):
    """The link a clinician sends: patients land on the sharing page with the code filled in."""
    if request.user.is_authenticated and request.user.role == Role.PATIENT:
        return redirect(f"/patient/sharing/?code={services.normalise_code(code)}")
    return render(
        request, "accounts/invitation_landing.html", {"code": services.normalise_code(code)}
    )


@login_required
@role_required(Role.CLINICIAN)
@require_http_methods(["GET", "POST"])
def clinician_invitations(request):
    if request.method == "POST":
        try:
            invitation = services.invitation_create(clinician=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"New invitation code: {invitation.code}")
        return redirect("clinician-invitations")
    invitations = selectors.open_invitations_for_clinician(request.user)[:20]
    return render(request, "accounts/clinician_invitations.html", {"invitations": invitations})
