from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        # Connects the user_logged_in receiver that puts the user's language in the session.
        from portal import i18n  # noqa: F401
