from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "handoffs"

    def ready(self):
        # sessions_app never imports handoffs (docs/architecture.md#rooms-and-dependencies): the
        # claimant's first action and a resolve in the session reach the escalation through
        # sessions_app's ``session_activity`` signal. The navigation's "Escalations" link, the
        # webhook section of Account Management and the demo escalations join accounts
        # through its signals the same way.
        from accounts.models import Account, User
        from accounts.signals import account_sections, demo_content, member_access_changed, nav_items
        from sessions_app.models import TroubleshootingSession
        from sessions_app.signals import (
            palette_items,
            session_actions,
            session_activity,
            session_escalations,
            ticket_note_sections,
        )

        from .demo import demo_escalations_ensure
        from .metrics.views import nav_item as metrics_nav_item
        from .selectors import (
            escalation_ticket_sections,
            live_escalations,
            nav_item,
            palette_entries,
            session_escalate_action,
        )
        from .services import on_member_access_changed, on_session_activity
        from .webhook_views import webhook_section

        session_activity.connect(on_session_activity, sender=TroubleshootingSession,
                                 dispatch_uid="handoffs.on_session_activity")
        ticket_note_sections.connect(escalation_ticket_sections, sender=TroubleshootingSession,
                                     dispatch_uid="handoffs.escalation_ticket_sections")
        # The API's session objects: their live escalation and the Escalate action.
        session_escalations.connect(live_escalations, sender=TroubleshootingSession,
                                    dispatch_uid="handoffs.live_escalations")
        session_actions.connect(session_escalate_action, sender=TroubleshootingSession,
                                dispatch_uid="handoffs.session_escalate_action")
        palette_items.connect(palette_entries, sender=User, dispatch_uid="handoffs.palette_entries")
        member_access_changed.connect(on_member_access_changed, sender=User,
                                      dispatch_uid="handoffs.on_member_access_changed")
        nav_items.connect(nav_item, sender=User, dispatch_uid="handoffs.nav_item")
        nav_items.connect(metrics_nav_item, sender=User, dispatch_uid="handoffs.metrics_nav_item")
        # Account Management's "Webhook and notifications" section.
        account_sections.connect(webhook_section, sender=Account, dispatch_uid="handoffs.webhook_section")
        # Demo escalations come after the demo sessions (INSTALLED_APPS order of ready()).
        demo_content.connect(demo_escalations_ensure, sender=Account, dispatch_uid="handoffs.demo_escalations")
