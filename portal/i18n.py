"""The page language: English or Spanish (issue 15).

Anonymous visitors get the language of the `django_language` cookie (the language switch) or
their browser's Accept-Language (django.middleware.locale.LocaleMiddleware). A signed-in user's
own choice, NotificationPreference.language, wins: it is copied into the session at sign-in and
whenever it changes, so UserLanguageMiddleware activates it without a query per request.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import account
from accounts.language import SESSION_KEY, language_remember
from accounts.models import Language, User


@receiver(user_logged_in, dispatch_uid="portal.i18n.language_at_sign_in")
def _language_at_sign_in(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    if request is not None and hasattr(request, "session"):
        language_remember(request, account.preference_of(user).language)


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in user's saved language overrides the cookie
    and Accept-Language that LocaleMiddleware chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get(SESSION_KEY)
            if language is None:  # a session opened before this middleware existed
                language = account.preference_of(user).language
            if language in Language.values:
                language_remember(request, language)
        return self.get_response(request)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie + redirect to `next`), and for a signed-in user the saved
    preference too, so reminders and e-mails follow it."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        account.preferences_update(user=request.user, data={"language": language})
        language_remember(request, language)
    return response
