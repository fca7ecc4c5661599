from django.urls import path

from accounts import account_views

urlpatterns = [
    path("", account_views.account_page, name="account"),
    path("email/confirm/<str:token>/", account_views.email_confirm, name="account-email-confirm"),
    path("unsubscribe/<str:token>/", account_views.unsubscribe, name="account-unsubscribe"),
]
