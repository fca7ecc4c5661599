"""/account/: the signed-in person's own settings, one small form per part; and the two pages
reached from an email without signing in (confirm a new address, unsubscribe from reminders)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from accounts import account, email_change, ratelimits
from accounts.account_forms import (
    EmailChangeForm,
    LanguageForm,
    NameForm,
    RemindersForm,
    TimezoneForm,
)
from accounts.http import AuthenticatedHttpRequest
from accounts.language import language_remember
from accounts.models import Role, User
from accounts.tokens import token_revoke
from core.errors import FieldErrors
from core.forms import submit_form

SECTIONS = ("name", "email", "timezone", "password", "language", "reminders", "offer")


def _password_form(user: User, data: QueryDict | None = None) -> PasswordChangeForm:
    form = PasswordChangeForm(user, data)
    # Django's form focuses its first field; on this page that would jump past the other parts.
    form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return form


def _forms(user: User, bound: tuple[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    preference = account.preference_of(user)
    built: dict[str, forms.Form] = {
        "name": NameForm(initial={"full_name": user.full_name}),
        "email": EmailChangeForm(),
        "password": _password_form(user),
        "language": LanguageForm(initial={"language": preference.language}),
    }
    zone = account.timezone_of(user)
    if zone is not None:
        built["timezone"] = TimezoneForm(initial={"timezone": zone}, current=zone)
    if user.role == Role.PATIENT:
        built["reminders"] = RemindersForm(
            initial={
                "checkin_reminder": preference.checkin_reminder,
                "checkin_reminder_time": preference.checkin_reminder_time,
                "questionnaire_reminders": preference.questionnaire_reminders,
            }
        )
    if bound is not None:
        built[bound[0]] = bound[1]
    return built


def _page(
    request: AuthenticatedHttpRequest, bound: tuple[str, forms.Form] | None = None
) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "forms": _forms(user, bound),
        "current_zone": account.timezone_of(user),
        "is_patient": user.role == Role.PATIENT,
    }
    return render(request, "accounts/account.html", context, status=400 if bound else 200)


def _saved(message: "StrOrPromise", anchor: str, request: HttpRequest) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"/account/#{anchor}")


def _password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _password_form(request.user, request.POST)
    if not form.is_valid():
        return _page(request, ("password", form))
    with transaction.atomic():
        form.save()
        # Other sessions and every API token end; this one stays signed in.
        token_revoke(user=request.user)
    update_session_auth_hash(request, form.user)
    return _saved(gettext_lazy("Your password is changed."), "password", request)


def _email_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _page(request, ("email", form))
    limited = ratelimits.hit(
        request, ratelimits.EMAIL_CHANGE, ratelimits.by_address, ratelimits.by_account(request.user)
    )
    if limited:
        return ratelimits.limited_page(request, limited)
    try:
        account.email_change_request(user=request.user, new_email=form.cleaned_data["email"])
    except FieldErrors as error:
        error.add_to_form(form)
        return _page(request, ("email", form))
    return _saved(
        gettext(
            "We sent a link to %(email)s. Open it to confirm the new address; until then you "
            "keep signing in with the current one."
        )
        % {"email": form.cleaned_data["email"].strip().lower()},
        "email",
        request,
    )


def _language_update(request: AuthenticatedHttpRequest, data: dict[str, Any]) -> object:
    preference = account.preferences_update(user=request.user, data=data)
    # The rest of this request (the "saved" message) and every later page in the new language.
    language_remember(request, preference.language)
    return preference


def _simple(
    request: AuthenticatedHttpRequest,
    section: str,
    form: forms.Form,
    service: Callable[[dict[str, Any]], object],
    message: "StrOrPromise",
) -> HttpResponse:
    if submit_form(form, service) is None:
        return _page(request, (section, form))
    return _saved(message, section, request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    user = request.user
    section = request.POST.get("section", "")
    if section == "password":
        return _password_change(request)
    if section == "email":
        return _email_change(request)
    if section == "name":
        return _simple(
            request,
            section,
            NameForm(request.POST),
            lambda data: account.user_name_update(user=user, full_name=data["full_name"]),
            gettext_lazy("Your name is saved."),
        )
    if section == "language":
        return _simple(
            request,
            section,
            LanguageForm(request.POST),
            lambda data: _language_update(request, data),
            gettext_lazy("Your language is saved."),
        )
    if section == "timezone" and account.timezone_of(user) is not None:
        return _simple(
            request,
            section,
            TimezoneForm(request.POST),
            lambda data: account.user_timezone_update(user=user, timezone_name=data["timezone"]),
            gettext_lazy("Your time zone is saved."),
        )
    if section == "reminders" and user.role == Role.PATIENT:
        return _simple(
            request,
            section,
            RemindersForm(request.POST),
            lambda data: account.preferences_update(user=user, data=data),
            gettext_lazy("Your reminder settings are saved."),
        )
    if section == "offer" and user.role == Role.PATIENT:
        account.reminder_offer_dismiss(user=user)
        return redirect("journal:home")
    raise Http404("No such setting.")


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the new address and a button; only the POST changes it (a mail scanner that
    follows links changes nothing). Works signed in or not: the link is the proof."""
    found = email_change.email_change_request_read(token)
    if found is None:
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    user, new_email = found
    if request.method == "POST":
        try:
            account.email_change_confirm(user=user, new_email=new_email)
        except FieldErrors as error:
            problem = " ".join(gettext(m) for ms in error.errors.values() for m in ms)
            return render(
                request,
                "accounts/email_confirm.html",
                {"invalid": True, "problem": problem},
                status=400,
            )
        messages.success(
            request, gettext("Your new email address is confirmed. Sign in with it from now on.")
        )
        if request.user.is_authenticated:
            return redirect("account")
        return redirect("login")
    return render(
        request, "accounts/email_confirm.html", {"invalid": False, "new_email": new_email}
    )


@never_cache
@csrf_exempt  # RFC 8058 one-click: the mail provider POSTs without a CSRF token; the signed
# token in the URL is the proof, and it only ever turns reminders off.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = email_change.unsubscribe_user(token)
    if user is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        account.reminders_unsubscribe(user=user)
        return render(request, "accounts/unsubscribe.html", {"done": True})
    return render(request, "accounts/unsubscribe.html", {})
