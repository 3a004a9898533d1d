from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .api import schema  # noqa: F401  (registers the OpenAPI auth scheme)
        from .sockets import on_user_logged_out

        user_logged_out.connect(on_user_logged_out, dispatch_uid="accounts.sockets.on_user_logged_out")
