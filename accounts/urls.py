from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import security_views, views
from accounts.links import SiteUrlPasswordResetForm
from accounts.lockout import RateLimitedPasswordResetView
from accounts.sessions import PortalLoginView

urlpatterns = [
    path(
        "login/",
        PortalLoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("mfa/", include("accounts.mfa_urls")),
    path("signup/patient/", views.signup_patient, name="signup-patient"),
    path("signup/clinician/", views.signup_clinician, name="signup-clinician"),
    path("signup/check-email/", views.signup_check_email, name="signup-check-email"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("invite/<str:code>/", views.invitation_landing, name="invitation-landing"),
    path(
        "password-reset/",
        RateLimitedPasswordResetView.as_view(form_class=SiteUrlPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-change/",
        security_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
