"""Password change and reset also end API access: every token of the user is revoked.

Other browser sessions end by themselves: Django stores a hash of the password in each session
and drops any session whose hash no longer matches (update_session_auth_hash keeps only the
session that made the change).
"""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponse

from accounts.models import User
from accounts.tokens import token_revoke


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        token_revoke(user=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: "SetPasswordForm[User]") -> HttpResponse:
        response = super().form_valid(form)
        token_revoke(user=form.user)
        return response
