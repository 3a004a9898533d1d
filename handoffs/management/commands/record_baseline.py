"""``manage.py record_baseline --account SLUG --minutes N [--note ...] [--date ...]``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._output import refusals_as_command_errors
from accounts.models import Account
from handoffs import metrics, services


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r} is not a date; use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = ("Record one manual baseline sample for an account: minutes from \"I'm stuck\" to a senior's first "
            "action, measured before or beside the pilot. The account's baseline is the median of its samples; "
            "the same as an admin recording one on the metrics page.")

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, metavar="SLUG", help="The account's slug.")
        parser.add_argument("--minutes", required=True, help="Minutes, one decimal place (e.g. 25 or 12.5).")
        parser.add_argument("--note", default="", help="Where the measurement comes from (up to 500 characters).")
        parser.add_argument("--date", dest="measured_on", type=_date, default=None, metavar="YYYY-MM-DD",
                            help="When it was measured (default: today in the account's time zone).")

    def handle(self, *args, account, minutes, note, measured_on, **options):
        found = Account.objects.filter(slug=account).first()
        if found is None:
            raise CommandError(f"No account has the slug {account!r}.")
        with refusals_as_command_errors():
            sample = services.baseline_sample_create(account=found, actor=None, minutes=minutes, note=note,
                                                     measured_on=measured_on)
        baseline = metrics.compute.baseline_of(account=found)
        self.stdout.write(f"Recorded {sample.minutes} min measured on {sample.measured_on} for {found.name}. "
                          f"Baseline now: median {baseline.median} min from {baseline.samples} "
                          f"sample{'s' * (baseline.samples != 1)}.")
