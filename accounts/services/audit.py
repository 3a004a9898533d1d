"""The staff audit log (``StaffAuditEntry``): every change staff make to a person."""

from accounts.models import StaffAuditEntry, User


def staff_audit_record(*, actor: User, subject: User, action: str, changes: dict | None = None) -> StaffAuditEntry:
    """Write one entry. ``action`` is a short verb (``changed``, ``password_set``,
    ``api_key_created``, ``api_key_revoked``, ``created``, ``deactivated``, ``reactivated``);
    ``changes`` maps a field to ``[before, after]`` (JSON values). Raises nothing of its own."""
    return StaffAuditEntry.objects.create(
        actor=actor, actor_email=actor.email, subject=subject, subject_email=subject.email,
        account_id=subject.account_id, action=action, changes=changes or {},
    )
