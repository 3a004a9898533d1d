def navigation(request):
    """The navigation links a user sees; pages that do not exist yet are not linked."""
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        items.append({"label": "Home", "url_name": "home", "testid": "nav-home"})
        if user.is_account_admin:
            items.append({"label": "Account", "url_name": "account_manage", "testid": "nav-account"})
        if user.is_staff:
            items.append({"label": "Admin", "url_name": "admin:index", "testid": "nav-admin"})
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    for item in items:
        item["current"] = item["url_name"] == current
    return {"nav_items": items}
