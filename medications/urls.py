from django.urls import path

from medications import views

app_name = "medications"

urlpatterns = [
    path("", views.medicines, name="medicines"),
    path("<int:pk>/change-dose/", views.change_dose, name="change-dose"),
    path("<int:pk>/stop/", views.stop, name="stop"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/confirm-drug/", views.confirm_drug, name="confirm-drug"),
]
