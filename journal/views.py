from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role


@login_required
@role_required(Role.PATIENT)
def home(request):
    # Placeholder until the journal issue builds the real home page.
    return render(request, "journal/home.html")
