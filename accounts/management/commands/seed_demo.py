from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import demo

from ._output import refusals_as_command_errors


class Command(BaseCommand):
    help = (
        "Load the demo pilot (accounts/demo.py) for trying ResolutionFlow on this machine: the MSP "
        "Northwind IT (slug demo) with a viewer, a junior engineer, a senior engineer and an "
        "admin; a second MSP, Contoso MSP (slug outsider), with its own admin; and a platform "
        "superuser for /admin/. Prints the logins (email, password, role) and the address to "
        "open. Safe to run again: nothing is duplicated, and demo logins someone changed get "
        "their demo password and role back. The passwords are public, so it runs only with "
        "DEBUG on, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Seed even with DEBUG off. Never on a server others can reach.")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with published passwords, a superuser among them, so it "
                "runs only with DEBUG=true. Pass --force to seed anyway (never on a reachable server)."
            )
        with refusals_as_command_errors():
            report = demo.seed()
        for line in report.changes or ["The demo pilot was already in place; nothing changed."]:
            self.stdout.write(line)
        self.stdout.write("")
        self.write_logins(report.logins)
        site = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {site}/ and sign in with one of these logins."))
        self.stdout.write(f"Django admin (platform staff): {site}/admin/")

    def write_logins(self, logins):
        rows = [("EMAIL", "PASSWORD", "ROLE", "ACCOUNT")]
        rows += [(login.email, login.password, login.label, account) for login, account in logins]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
