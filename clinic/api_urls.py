from django.urls import path

from clinic import api

urlpatterns = [
    path("patients/", api.PatientListApi.as_view(), name="api-patients"),
    path("patients/<int:patient_id>/", api.PatientDetailApi.as_view(), name="api-patient"),
    path("patients/<int:patient_id>/fhir/", api.PatientFhirApi.as_view(), name="api-patient-fhir"),
]
