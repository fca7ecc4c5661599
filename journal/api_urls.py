from django.urls import path

from journal import api

urlpatterns = [
    path("entries/", api.EntryListView.as_view(), name="api-entries"),
    path("entries/<int:pk>/", api.EntryDetailView.as_view(), name="api-entry"),
    path("questionnaires/", api.QuestionnaireListView.as_view(), name="api-questionnaires"),
    path(
        "questionnaires/<int:pk>/",
        api.QuestionnaireDetailView.as_view(),
        name="api-questionnaire",
    ),
]
