from functools import wraps

from django.http import Http404


def role_required(*roles):
    """Pages of one role answer 404 to every other role (they do not exist for them)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if getattr(request.user, "role", None) not in roles:
                raise Http404("Page not found.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
