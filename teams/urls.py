from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("", views.team_home, name="home"),
    path("join/<str:token>/", views.team_join, name="join"),
    path("<int:team_id>/", views.team_detail, name="detail"),
    path("<int:team_id>/invite/", views.team_invite, name="invite"),
    path(
        "<int:team_id>/invitations/<int:invitation_id>/cancel/",
        views.team_invitation_cancel,
        name="invitation-cancel",
    ),
    path(
        "<int:team_id>/members/<int:membership_id>/end/",
        views.membership_end,
        name="membership-end",
    ),
    path("<int:team_id>/patient-code/", views.patient_code_create, name="patient-code"),
]
