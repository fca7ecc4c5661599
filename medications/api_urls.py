from django.urls import path

from medications import api

urlpatterns = [
    path("drugs/", api.DrugSearchView.as_view(), name="api-drugs"),
    path("interactions/check/", api.InteractionCheckView.as_view(), name="api-interactions-check"),
    path("medications/", api.MedicationListView.as_view(), name="api-medications"),
    path("medications/<int:pk>/", api.MedicationDetailView.as_view(), name="api-medication"),
    path(
        "medications/<int:pk>/change-dose/",
        api.ChangeDoseView.as_view(),
        name="api-medication-change-dose",
    ),
]
