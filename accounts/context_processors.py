# Apps that depend on accounts add their links here (handoffs: "Escalations" with the open
# count) by registering a provider, so accounts never imports them (DESIGN.md §2).
_nav_providers = []


def nav_register(provider):
    """``provider(user) -> dict | None``: a nav item (label, url_name, testid, optional count)."""
    if provider not in _nav_providers:
        _nav_providers.append(provider)
    return provider


def navigation(request):
    """The navigation links a user sees; pages that do not exist yet are not linked."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append({"label": "Home", "url_name": "home", "testid": "nav-home"})
        if user.account_id is not None:
            items.append({"label": "Sessions", "url_name": "sessions:history", "testid": "nav-sessions"})
        if user.is_engineer_or_admin:
            items.append({"label": "New session", "url_name": "sessions:new", "testid": "nav-new-session"})
        items.extend(item for item in (provider(user) for provider in _nav_providers) if item)
        if user.is_account_admin:
            items.append({"label": "Account", "url_name": "account_manage", "testid": "nav-account"})
        if user.is_staff:
            items.append({"label": "Admin", "url_name": "admin:index", "testid": "nav-admin"})
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    for item in items:
        item["current"] = item["url_name"] == current
    return {"nav_items": items}
