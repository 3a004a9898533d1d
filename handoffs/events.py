"""Realtime group names and publishing for handoffs (STYLE.md §1: group names live here only)."""


def account_group(account_id) -> str:
    return f"account-{account_id}"
