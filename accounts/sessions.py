"""Keep me signed in on this device: a patient may choose a 30-day session at sign-in.

The login form offers the box to everyone (it cannot know the role before sign-in) but it is
honoured only for patients: clinicians and administrators, who see many patients' records, keep
the 30-minute idle and 12-hour absolute limits (portal.middleware.SessionTimeoutMiddleware reads
KEEP_SIGNED_IN_KEY and checks the role again on every request).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from accounts.forms import EmailLoginForm
from accounts.models import Role, User

KEEP_SIGNED_IN_KEY = "_portal_keep_signed_in"


def keep_signed_in_allowed(user: User) -> bool:
    """Only a patient's session may outlive the usual limits (never staff, whatever the role)."""
    return bool(
        user.is_authenticated
        and user.role == Role.PATIENT
        and not user.is_staff
        and not user.is_superuser
    )


def session_keep_signed_in(*, request: HttpRequest, user: User) -> bool:
    """Give this signed-in session the long patient lifetime; False (and nothing changed) for
    anyone else."""
    if not keep_signed_in_allowed(user):
        return False
    request.session.set_expiry(settings.PATIENT_KEEP_SIGNED_IN)
    request.session[KEEP_SIGNED_IN_KEY] = True
    return True


class PortalLoginView(auth_views.LoginView):
    authentication_form = EmailLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.cleaned_data.get("remember"):
            session_keep_signed_in(request=self.request, user=form.get_user())
        return response
