"""/account/export/ and /account/delete/: the patient's data rights (portal.data_rights).

The export is a POST (with the CSRF token) from a page with one button: it writes an audit row,
and a cross-site GET (an <img> tag, a prefetch) must not be able to make a patient's browser
fetch and log a full download of their record. The response is the ZIP itself, as an
attachment, never stored by caches.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import role_required
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from portal import data_rights


@never_cache
@login_required
@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def account_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(
            request, "accounts/account_export.html", {"members": data_rights.EXPORT_MEMBERS}
        )
    try:
        export = data_rights.patient_export(patient=request.user, request=request)
    except data_rights.ExportTooLarge:
        return render(
            request,
            "accounts/account_export.html",
            {"members": data_rights.EXPORT_MEMBERS, "too_large": True},
            status=413,
        )
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password. Nothing was deleted."), code="password"
            )
        return password


@never_cache
@login_required
@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data_rights.account_delete(patient=request.user)
            logout(request)
            messages.success(request, _("Your account is closed and your health data deleted."))
            return redirect("login")
        return render(request, "accounts/account_delete.html", {"form": form}, status=400)
    return render(request, "accounts/account_delete.html", {"form": form})
