from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.access import is_verified_clinician, patients_visible_to
from accounts.audit import audit_read
from accounts.decorators import role_required
from accounts.models import Role


@login_required
@role_required(Role.CLINICIAN)
def dashboard(request):
    """Linked patients. (Foundation version; the clinician-workspace issue builds the triage.)"""
    if not is_verified_clinician(request.user):
        return render(request, "clinic/awaiting_verification.html")
    patients = list(patients_visible_to(request.user).order_by("full_name", "email"))
    audit_read(request, patient=None, action="dashboard_view", object_type="patient_list")
    return render(request, "clinic/dashboard.html", {"patients": patients})
