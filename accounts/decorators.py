from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import Http404, HttpRequest, HttpResponseBase

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def role_required(*roles: str) -> Callable[[_View], _View]:
    """Pages of one role answer 404 to every other role (they do not exist for them)."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if getattr(request.user, "role", None) not in roles:
                raise Http404("Page not found.")
            return view(request, *args, **kwargs)

        # The same signature as `view` (wraps copies its name and docstring).
        return cast(_View, wrapper)

    return decorator
