"""Request types for views that only signed-in users reach.

django-stubs types `request.user` as "the user model or AnonymousUser". Behind `login_required`
(pages) or `IsAuthenticated` (the API, DRF's default here) the anonymous case cannot happen, so
such views annotate `request: AuthenticatedHttpRequest[User]` and pass `request.user` on as a
`User`. Typing only: nothing here runs a check. Generic over the user model because core imports
no app (DESIGN.md "Layering").
"""

from typing import Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from rest_framework.request import Request

UserT = TypeVar("UserT", bound=AbstractBaseUser)


# Narrowing `user` is the point of these classes; the base classes type it as the union (DRF as
# a property), which mypy reports as an incompatible override.
class AuthenticatedHttpRequest(HttpRequest, Generic[UserT]):
    user: UserT  # type: ignore[assignment]


class AuthenticatedRequest(Request, Generic[UserT]):
    user: UserT  # type: ignore[assignment]
