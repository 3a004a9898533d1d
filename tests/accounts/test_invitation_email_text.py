"""Text that leaves for email (issue 8, kind 6): an account name with a line break must not
break the invitation email (Django refuses a header with a newline, and the invitation would
stay "Not sent" for good)."""

from accounts import services
from accounts.models import Account, Invitation, Role
from tests.tasks import run_due_tasks


def test_an_account_name_with_a_line_break_still_gets_a_one_line_invitation_subject(
        northwind, admin_user, mailoutbox, django_capture_on_commit_callbacks):
    Account.objects.filter(pk=northwind.pk).update(name="Northwind\nBcc: intruder@evil.test")
    northwind.refresh_from_db()
    admin_user.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        issued = services.invitation_create(account=northwind, email="new.tech@example.test", role=Role.ENGINEER,
                                            invited_by=admin_user)

    run_due_tasks()
    [message] = mailoutbox
    assert "\n" not in message.subject and "Bcc" in message.subject  # the text stays, on one line
    assert message.to == ["new.tech@example.test"] and message.bcc == []
    assert Invitation.unscoped.get(pk=issued.invitation.pk).sent_at is not None


def test_the_notice_to_an_address_with_a_login_elsewhere_is_one_line_too(
        northwind, admin_user, outsider_admin, mailoutbox, django_capture_on_commit_callbacks):
    Account.objects.filter(pk=northwind.pk).update(name="Northwind\r\nX-Injected: yes")
    northwind.refresh_from_db()
    admin_user.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(account=northwind, email=outsider_admin.email, role=Role.ENGINEER,
                                   invited_by=admin_user)

    run_due_tasks()
    [message] = mailoutbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "X-Injected" not in message.extra_headers
