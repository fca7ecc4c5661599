from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from core.timezones import PatientTimezoneMiddleware


def current_zone_view(request):
    return HttpResponse(timezone.get_current_timezone_name())


def run(user):
    request = RequestFactory().get("/")
    request.user = user
    return PatientTimezoneMiddleware(current_zone_view)(request).content.decode()


def test_a_patient_sees_their_own_time_zone(pat):
    pat.patient_profile.timezone = "Pacific/Auckland"
    pat.patient_profile.save(update_fields=["timezone"])
    assert run(pat) == "Pacific/Auckland"
    assert timezone.get_current_timezone_name() == "UTC"  # restored after the request


def test_others_see_the_server_zone(cleo, db):
    assert run(cleo) == "UTC"
    assert run(AnonymousUser()) == "UTC"


def test_an_unknown_zone_falls_back_to_the_server_zone(pat):
    pat.patient_profile.timezone = "Mars/Olympus"
    pat.patient_profile.save(update_fields=["timezone"])
    assert run(pat) == "UTC"
