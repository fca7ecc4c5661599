from django.urls import path

from accounts import access_log_views, api

urlpatterns = [
    path("auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/access-log/", access_log_views.AccessLogView.as_view(), name="api-me-access-log"),
    path("me/preferences/", api.PreferencesView.as_view(), name="api-me-preferences"),
]
