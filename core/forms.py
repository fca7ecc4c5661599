"""The pages' one error path, the counterpart of core/api_errors.py for the API."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext

from core.errors import FieldErrors

T = TypeVar("T")


def submit_form(form: forms.Form, service: Callable[[dict[str, Any]], T]) -> T | None:
    """`service(form.cleaned_data)` when the form is valid; None when it is not.

    A rule only the service can check (a check-in already saved for that date, a dose that
    would overlap the next one) raises FieldErrors; its messages go onto the form like the
    form's own, and the result is None too, so the view re-renders the form with 400. The
    service ran in its own transaction, so nothing was stored.
    """
    if not form.is_valid():
        return None
    try:
        return service(form.cleaned_data)
    except FieldErrors as error:
        # The services' messages are English (marked for the catalog): shown in the page's
        # language; a message with values in it that the catalog lacks stays English.
        FieldErrors(
            {
                field: [gettext(message) for message in messages]
                for field, messages in error.errors.items()
            }
        ).add_to_form(form)
        return None
