from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "handoffs"

    def ready(self):
        # The claimant's first action in the session stamps the escalation; sessions_app
        # announces activity through a hook so it never imports handoffs (DESIGN §2). The
        # navigation's "Escalations" link is registered the same way with accounts.
        from accounts.context_processors import nav_register
        from accounts.demo import demo_content_register
        from sessions_app.services import session_activity_register

        from .demo import demo_escalations_ensure
        from .metrics.views import nav_item as metrics_nav_item
        from .selectors import nav_item
        from .services import first_action_stamp

        session_activity_register(first_action_stamp)
        nav_register(nav_item)
        nav_register(metrics_nav_item)
        # Demo escalations join seed_demo after the demo sessions (INSTALLED_APPS order).
        demo_content_register(demo_escalations_ensure)
