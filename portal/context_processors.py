def portal(request):
    """Role flags for the navigation in base.html."""
    user = getattr(request, "user", None)
    role = getattr(user, "role", "") if user is not None and user.is_authenticated else ""
    return {"nav_role": role}
