from django.urls import path

from alerts import api

urlpatterns = [
    path("alerts/", api.AlertListView.as_view(), name="api-alerts"),
    path("alerts/<int:pk>/", api.AlertDetailView.as_view(), name="api-alert"),
    path("alerts/<int:pk>/acknowledge/", api.AlertAcknowledgeView.as_view(), name="api-alert-ack"),
    path("alerts/<int:pk>/resolve/", api.AlertResolveView.as_view(), name="api-alert-resolve"),
    path("alerts/<int:pk>/notes/", api.AlertNoteView.as_view(), name="api-alert-notes"),
    path("alerts/<int:pk>/assign/", api.AlertAssignView.as_view(), name="api-alert-assign"),
    path("alerts/<int:pk>/unassign/", api.AlertUnassignView.as_view(), name="api-alert-unassign"),
]
