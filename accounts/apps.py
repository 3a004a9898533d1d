from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.db.models.signals import post_save

        from .api import schema  # noqa: F401  (registers the OpenAPI auth scheme)
        from .sockets import on_user_saved

        # A login that ends closes its sockets through the session store (accounts.session_store).
        post_save.connect(on_user_saved, sender=self.get_model("User"), dispatch_uid="accounts.sockets.on_user_saved")
