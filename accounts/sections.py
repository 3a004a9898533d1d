"""Sections other apps add to Account Management (handoffs: the webhook and the deliveries),
registered like the navigation's links, so accounts never imports them (DESIGN.md §2)."""

_section_providers = []


def account_section_register(provider):
    """``provider(request) -> dict | None``: a section of Account Management for this admin:
    ``{"template": <path>, "anchor": <id>, "label": <nav label>, "testid": <nav testid>, ...}``;
    the template is included with the dict as ``section``."""
    if provider not in _section_providers:
        _section_providers.append(provider)
    return provider


def account_sections(request) -> list[dict]:
    return [section for section in (provider(request) for provider in _section_providers) if section]
