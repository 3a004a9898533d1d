from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"

    def ready(self):
        # accounts may not import sessions_app (DESIGN §2), so the starter flow library joins
        # create_pilot_account and seed_demo through the hook accounts offers for this.
        from accounts.services import starter_content_register

        from .flows.library import starter_library_ensure

        starter_content_register(starter_library_ensure)
