"""``manage.py webhook_secret <slug>``: the signing secret of an account's escalation webhook."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.management.commands._output import refusals_as_command_errors
from accounts.models import Account


class Command(BaseCommand):
    help = (
        "Print the secret that signs an account's escalation webhook (X-ResolutionFlow-Signature: "
        "sha256=HMAC of the body), for configuring the receiver. The API never returns it: it is "
        "generated on the server when an admin sets the webhook URL. --rotate replaces it first; "
        "the old secret stops verifying at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The account's slug.")
        parser.add_argument("--rotate", action="store_true", help="Generate a new secret, then print it.")

    def handle(self, *args, slug, rotate, **options):
        account = Account.objects.filter(slug=slug).first()
        if account is None:
            raise CommandError(f"No account has the slug {slug!r}.")
        if not account.webhook_url:
            raise CommandError(f"{account.name} has no webhook URL; an admin sets one in the account settings.")
        if rotate:
            with refusals_as_command_errors():
                services.account_webhook_secret_rotate(account=account, actor=None)
            self.stderr.write("Rotated: receivers must use the new secret from now on.")
        self.stdout.write(account.webhook_secret)
