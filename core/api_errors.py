"""The API's one error path (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Modelled on HackSoft Styleguide-Example's `api/exception_handlers.py`: views and services raise
plain exceptions and this turns each into the JSON the contract promises (DESIGN.md "Errors"),
so no view translates errors itself.

- `core.errors.FieldErrors` (and its domain subclasses) -> 400 with `{field: [messages]}`;
- Django's `ValidationError` -> 400 with its message dict (`non_field_errors` when it has none);
- `Http404` -> 404 and Django's `PermissionDenied` -> 403, both `{"detail": ...}`;
- DRF's own exceptions (400/401/403/404/405/406/415/429) as DRF renders them.
Anything else returns None: DRF re-raises it and Django answers 500.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import FieldErrors


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldErrors):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    # Http404 and Django's PermissionDenied keep their message ("No such patient.").
    return drf_exception_handler(exc, context)
