"""Absolute links for email and pages shown outside the browser, always built from SITE_URL.

The request's Host header and port are chosen by the client (and by whichever port `runserver`
happens to use): a reset link built from them can point a victim at an attacker's host, with the
reset token in the URL. Every link we send out starts from settings.SITE_URL instead.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm


def site_root() -> str:
    """SITE_URL without a trailing slash, e.g. "https://portal.example.org"."""
    site_url: str = settings.SITE_URL
    return site_url.rstrip("/")


def site_link(path: str) -> str:
    """An absolute URL on this site for `path` (which starts with "/")."""
    return site_root() + path


class SiteUrlPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the link's scheme, host and port taken from SITE_URL."""

    # Django's view calls save() with keywords only; the base also takes them by position.
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        parts = urlsplit(site_root())
        kwargs["domain_override"] = parts.netloc
        kwargs["use_https"] = parts.scheme == "https"
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "site_url": site_root(),
        }
        return super().save(**kwargs)
