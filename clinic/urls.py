from django.urls import path

from clinic import views

app_name = "clinic"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/<int:patient_id>/", views.patient_record, name="patient"),
    path("patients/<int:patient_id>/notes/", views.patient_notes, name="patient-notes"),
    path("patients/<int:patient_id>/hunter/", views.hunter_check, name="hunter"),
    path(
        "patients/<int:patient_id>/report.<str:fmt>",
        views.report_download,
        name="report",
    ),
    path("alerts/", views.alert_queue, name="alerts"),
    path("alerts/acknowledge/", views.alerts_bulk_acknowledge, name="alerts-acknowledge"),
    path("alerts/badge/", views.alert_badge, name="alert-badge"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:alert_id>/note/", views.alert_note, name="alert-note"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve, name="alert-resolve"),
    path("alerts/<int:alert_id>/assign/", views.alert_assign, name="alert-assign"),
    path("alerts/<int:alert_id>/unassign/", views.alert_unassign, name="alert-unassign"),
]
