"""Who may do what to people's credentials (DESIGN §12: one predicate per rule, used by every
entry point). Today: Django admin, where platform staff work."""


def may_handle_credentials_of(actor, person) -> bool:
    """Whether ``actor`` may set ``person``'s password, mint or revoke their API keys, or
    create a login with a password for someone: superusers for anyone, anyone for
    themselves. Staff without superuser rights never act as or on another person's
    credentials (issue 8, kind 12); they invite people and deactivate them instead.
    ``person`` None means a person not created yet (a new login)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return person is not None and person.pk == actor.pk
