"""Rebuild the assistant's search index: every runbook and resolved session (of one account
with ``--account SLUG``). Needed after a change to the synonym vocabulary (``concepts.py``)
or to what the index stores; everyday writes keep the index current by themselves."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Account
from sessions_app.assistant import index


class Command(BaseCommand):
    help = "Rebuild the assistant's search index of runbooks and resolved sessions."

    def add_arguments(self, parser):
        parser.add_argument("--account", metavar="SLUG", help="Only this account's runbooks and sessions.")

    def handle(self, *args, account=None, **options):
        target = None
        if account:
            target = Account.objects.filter(slug=account).first()
            if target is None:
                raise CommandError(f"No account with the slug {account!r}.")
        with transaction.atomic():
            count = index.reindex(target)
        self.stdout.write(f"Indexed {count} runbooks and resolved sessions.")
