from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save

        from .api import schema  # noqa: F401  (registers the OpenAPI auth scheme)
        from .sockets import on_user_logged_out, on_user_saved

        user_logged_out.connect(on_user_logged_out, dispatch_uid="accounts.sockets.on_user_logged_out")
        post_save.connect(on_user_saved, sender=self.get_model("User"), dispatch_uid="accounts.sockets.on_user_saved")
