# Apps that depend on accounts add their links (handoffs: "Escalations" with the open count)
# by receiving ``accounts.signals.nav_items``, so accounts never imports them (docs/architecture.md#rooms-and-
# dependencies).
from . import rules
from .models import User
from .signals import nav_items


def may(request):
    """``may.work`` (start sessions, escalate, pick up) and ``may.manage_account`` for templates:
    the same predicates as everywhere else (``accounts.rules``)."""
    user = getattr(request, "user", None)
    return {"may": {"work": rules.may_work(user), "manage_account": rules.is_admin(user),
                    "view": rules.is_member(user)}}


def navigation(request):
    """The navigation links a user sees (``navigation_items``), the current page's marked."""
    items = navigation_items(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    for item in items:
        item["current"] = item["url_name"] == current
    return {"nav_items": items}


def navigation_items(user, *, counts: bool = True) -> list[dict]:
    """The pages a user may open from the navigation, in its order: ``[{"label", "url_name",
    "testid"}, ...]`` (plus ``count`` on Escalations unless ``counts`` is False: a query the
    palette does not show), from the rules and the ``nav_items`` signal's receivers. The
    command palette lists the same pages (``sessions_app.views.palette``)."""
    items = []
    if user is not None and user.is_authenticated:
        items.append({"label": "Home", "url_name": "home", "testid": "nav-home"})
        if user.account_id is not None:
            items.append({"label": "Sessions", "url_name": "sessions:history", "testid": "nav-sessions"})
        if rules.may_work(user):
            items.append({"label": "New session", "url_name": "sessions:new", "testid": "nav-new-session"})
        items.extend(item for _receiver, item in nav_items.send(sender=User, user=user, counts=counts) if item)
        if rules.is_admin(user):
            items.append({"label": "Account", "url_name": "account_manage", "testid": "nav-account"})
        if user.is_staff:
            items.append({"label": "Admin", "url_name": "admin:index", "testid": "nav-admin"})
    return items
