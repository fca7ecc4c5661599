from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import access_log_views
from accounts import views as account_views
from portal import data_rights_views, i18n, views

# A database error raised in a middleware (session, user) answers 503 there, not an HTML 500.
handler500 = "portal.errors.server_error"
# Branded pages, and {"detail": ...} on the API, for the other errors (issue 15).
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("journal.api_urls")),
    path("", include("medications.api_urls")),
    path("", include("alerts.api_urls")),
    path("", include("clinic.api_urls")),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The language switch on every page: Django's set_language, which also saves a signed-in
    # user's preference (portal.i18n).
    path("i18n/setlang/", i18n.language_set, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("account/export/", data_rights_views.account_export, name="account-export"),
    path("account/delete/", data_rights_views.account_delete, name="account-delete"),
    path("account/", include("accounts.account_urls")),
    path("patient/sharing/", account_views.sharing, name="sharing"),
    path(
        "patient/sharing/<int:link_id>/accept/",
        account_views.sharing_accept,
        name="sharing-accept",
    ),
    path(
        "patient/sharing/<int:link_id>/revoke/",
        account_views.sharing_revoke,
        name="sharing-revoke",
    ),
    path(
        "clinician/invitations/",
        account_views.clinician_invitations,
        name="clinician-invitations",
    ),
    path("patient/access-log/", access_log_views.access_log, name="access-log"),
    path("patient/medications/", include("medications.urls")),
    path("patient/report/", include("clinic.patient_urls")),
    path("patient/", include("journal.urls")),
    path("clinician/", include("clinic.urls")),
    path("team/", include("teams.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
