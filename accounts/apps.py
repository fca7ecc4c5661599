from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Connects the user_logged_in receiver that clears a user's own sign-in failures.
        from accounts import lockout  # noqa: F401
