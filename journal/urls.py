from django.urls import path

from journal import views

app_name = "journal"

urlpatterns = [
    path("", views.home, name="home"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/<int:entry_id>/delete/", views.checkin_delete, name="checkin-delete"),
    path("history/", views.history, name="history"),
    path("questionnaires/<slug:instrument>/", views.questionnaire, name="questionnaire"),
    path(
        "questionnaires/saved/<int:response_id>/",
        views.questionnaire_saved,
        name="questionnaire_saved",
    ),
    path(
        "questionnaires/saved/<int:response_id>/delete/",
        views.questionnaire_delete,
        name="questionnaire-delete",
    ),
]
