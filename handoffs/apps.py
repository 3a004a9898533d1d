from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "handoffs"

    def ready(self):
        # The claimant's first action in the session stamps the escalation; sessions_app
        # announces activity through a hook so it never imports handoffs (DESIGN §2).
        from sessions_app.services import session_activity_register

        from .services import first_action_stamp

        session_activity_register(first_action_stamp)
