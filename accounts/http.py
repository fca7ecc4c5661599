"""Request and user types for code that reads `request.user`.

django-stubs types `request.user` as `User | AnonymousUser`. Behind `login_required` (pages) or
DRF's `IsAuthenticated` (the API) it is always a User; these say so once instead of at each use.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User

# A page's HttpRequest or an API view's DRF Request (which wraps one and is not a subclass).
AnyRequest = HttpRequest | Request
# `request.user` before anyone checked that it is signed in.
AnyUser = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a page behind `login_required`: its `user` is a User.

    An annotation only (django-stubs' documented pattern); Django never builds one. Use it only
    on views whose decorators guarantee a signed-in user.
    """

    user: User


def request_user(request: AnyRequest) -> User:
    """The signed-in user of `request`; PermissionDenied for an anonymous one.

    For helpers that record who did something (the audit trail): reaching them without a
    signed-in user is a bug in the caller's protection, refused loudly rather than recorded.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
