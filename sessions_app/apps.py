from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"

    def ready(self):
        # accounts may not import sessions_app (docs/architecture.md#rooms-and-dependencies), so the starter
        # flow library joins
        # create_pilot_account and seed_demo, and the demo sessions join seed_demo, through
        # the signals accounts sends for this.
        from accounts.models import Account
        from accounts.signals import demo_content, starter_content

        from .demo import demo_sessions_ensure
        from .flows.library import starter_library_ensure

        starter_content.connect(starter_library_ensure, sender=Account, dispatch_uid="sessions_app.starter_library")
        demo_content.connect(demo_sessions_ensure, sender=Account, dispatch_uid="sessions_app.demo_sessions")

        from .assistant import receivers

        receivers.connect()
