from django.urls import path

from accounts import mfa_views

urlpatterns = [
    path("", mfa_views.mfa_setup, name="mfa-setup"),
    path("verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
]
