from django.apps import AppConfig


class SessionsAppConfig(AppConfig):
    name = "sessions_app"

    def ready(self):
        # accounts may not import sessions_app (DESIGN §2), so the starter flow library joins
        # create_pilot_account and seed_demo, and the demo sessions join seed_demo, through
        # the hooks accounts offers for this.
        from accounts.demo import demo_content_register
        from accounts.services import starter_content_register

        from .demo import demo_sessions_ensure
        from .flows.library import starter_library_ensure

        starter_content_register(starter_library_ensure)
        demo_content_register(demo_sessions_ensure)

        from .assistant import receivers

        receivers.connect()
