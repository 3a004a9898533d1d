from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Account, Role

from ._output import refusals_as_command_errors


class Command(BaseCommand):
    help = (
        "Invite someone to an existing account with a role, as the platform, and print the "
        "one-time invitation link (also emailed, unless --no-email). Running it again for a "
        "pending invitation issues a fresh link (the old one stops working); an address that "
        "already has a login is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, metavar="SLUG", help="The account's slug.")
        parser.add_argument("--email", required=True, help="Who to invite.")
        parser.add_argument("--role", required=True, choices=Role.values,
                            help="viewer (read-only), engineer (technicians) or admin (manages the account).")
        parser.add_argument("--no-email", action="store_true", help="Only print the link.")

    def handle(self, *args, account, email, role, no_email, **options):
        target = Account.objects.filter(slug=account.strip().lower()).first()
        if target is None:
            known = list(Account.objects.order_by("slug").values_list("slug", flat=True)[:10])
            hint = f" Known slugs: {', '.join(known)}." if known else " There are no accounts yet."
            raise CommandError(f"No account has the slug {account!r}.{hint}")
        with refusals_as_command_errors(), transaction.atomic():
            issued, outcome = services.invitation_issue(account=target, email=email, role=role,
                                                        send_email=not no_email)
        invitation = issued.invitation
        if outcome == "created":
            self.stdout.write(self.style.SUCCESS(f"Invited {invitation.email} to {target.name} as {role}."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{invitation.email} already had a pending invitation to {target.name}: "
                + ("issued a fresh link" if outcome == "reissued" else f"replaced it with an invitation as {role}")
                + " (the earlier link no longer works)."
            ))
        self.stdout.write(f"One-time invitation link (valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):")
        self.stdout.write(f"  {issued.url}")
        self.stdout.write(f"The link is also being emailed to {invitation.email}." if not no_email
                          else "The link was not emailed.")
