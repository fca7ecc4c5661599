"""A signed-in user's page language, kept in their session (portal.i18n reads it) so that it
costs no query per request. Set at sign-in and whenever the user changes it."""

from django.http import HttpRequest
from django.utils import translation

from accounts.models import Language

SESSION_KEY = "user_language"


def language_remember(request: HttpRequest, language: str) -> None:
    """Store the user's language in the session and use it for the rest of this request."""
    if language in Language.values:
        if request.session.get(SESSION_KEY) != language:  # no session write on every request
            request.session[SESSION_KEY] = language
        translation.activate(language)
        request.LANGUAGE_CODE = language
