from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Role, User

from ._output import refusals_as_command_errors


class Command(BaseCommand):
    help = (
        "Set up a pilot MSP: create the account NAME and its first admin, then load the starter "
        "content every pilot gets. With --admin-password the admin login is created at once "
        "(Django's password validators apply); without it the admin is invited, and the one-time "
        "invitation link is printed (and emailed, unless --no-email). Prints what it created. "
        "Safe to run again: an account (same slug) or admin that already exists is reported and "
        "left as it is, and a pending admin invitation gets a fresh link (the old one stops "
        "working)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The MSP's name, for example 'Northwind IT'.")
        parser.add_argument("--admin-email", required=True, help="Email (the login) of the first admin.")
        parser.add_argument("--admin-password",
                            help="Create the admin login with this password instead of inviting them.")
        parser.add_argument("--admin-name", default="", help="The admin's display name.")
        parser.add_argument("--slug", help="The account's short name; made from NAME when omitted.")
        parser.add_argument("--time-zone",
                            help="The account's time zone for dates and weeks (default UTC), "
                                 "for example Europe/London.")
        parser.add_argument("--no-email", action="store_true", help="Only print the invitation link.")

    def handle(self, *args, **options):
        with refusals_as_command_errors(), transaction.atomic():
            # Print only after the transaction commits: a refusal undoes everything.
            lines = self.set_up(**options)
        for line in lines:
            self.stdout.write(line)

    def set_up(self, *, name, admin_email, admin_password, admin_name, slug, time_zone, no_email,
               **_options) -> list[str]:
        account, created = services.account_ensure(name=name, slug=slug, time_zone=time_zone or "UTC")
        if created:
            lines = [self.style.SUCCESS(
                f"Created the account {account.name} (slug {account.slug}, time zone {account.time_zone})."
            )]
        else:
            lines = [f"The account {account.name} (slug {account.slug}) already exists; left as it is."]
            differs = [f"{label} is {current!r}, not {wanted!r}" for label, current, wanted in (
                ("its name", account.name, name.strip()),
                ("its time zone", account.time_zone, time_zone or account.time_zone),
            ) if current != wanted]
            if differs:
                lines.append(self.style.WARNING(
                    f"Note: {' and '.join(differs)}; change it in /admin/ if that is not intended."
                ))

        email = admin_email.strip().lower()
        if admin_password or User.objects.filter(email__iexact=email).exists():
            lines += self.admin_login(account, email, admin_password, admin_name)
        else:
            lines += self.admin_invitation(account, email, send_email=not no_email)

        # Starter content (the flow library, once sessions_app registers its loader).
        loaded = services.starter_content_load(account=account)
        if loaded:
            lines += loaded
        elif services.starter_content_registered():
            lines.append("Starter content was already in place; nothing to load.")
        else:
            lines.append("No starter content is registered: the account starts empty.")
        return lines

    def admin_login(self, account, email, password, display_name) -> list[str]:
        admin, created = services.member_ensure(account=account, email=email, role=Role.ADMIN,
                                                password=password, display_name=display_name)
        if created:
            return [self.style.SUCCESS(f"Created the admin login {admin.email}; they can sign in now.")]
        if admin.role != Role.ADMIN:
            raise CommandError(
                f"{admin.email} is already a member of {account.name} as {admin.get_role_display().lower()}, "
                "not an admin. Make them an admin on the Account page (or in /admin/) first."
            )
        lines = [f"{admin.email} is already an admin of {account.name}; left as it is."]
        if password:
            lines.append("Their password was not changed.")
        if not admin.is_active:
            lines.append(self.style.WARNING(f"{admin.email} is deactivated: reactivate them in /admin/."))
        return lines

    def admin_invitation(self, account, email, *, send_email) -> list[str]:
        issued, outcome = services.invitation_issue(account=account, email=email, role=Role.ADMIN,
                                                    send_email=send_email)
        invitation = issued.invitation
        said = {
            "created": f"Invited {email} as the admin of {account.name}.",
            "reissued": f"{email} already had a pending admin invitation: issued a fresh link "
                        "(the earlier link no longer works).",
            "replaced": f"{email} had a pending invitation with another role: replaced it with an "
                        "admin invitation (the earlier link no longer works).",
        }[outcome]
        return [
            self.style.SUCCESS(said),
            f"One-time invitation link (valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):",
            f"  {issued.url}",
            f"The link is also being emailed to {email}." if send_email else "The link was not emailed.",
        ]
