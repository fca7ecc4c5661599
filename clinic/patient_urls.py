"""The patient's own visit report, mounted at /patient/report/ (namespace "clinic-patient")."""

from django.urls import path

from clinic import views

app_name = "clinic-patient"

urlpatterns = [
    path("", views.patient_report, name="report"),
    path("report.<str:fmt>", views.patient_report_download, name="report-download"),
]
