"""``manage.py load_flows``: import flow documents (the starter library, or files) and export
them, saying what changed flow by flow. The rules of an import (slug and version) live in
``sessions_app.flows.library``; this command only picks the files, the scope and the words."""

from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import transaction

from accounts.models import Account
from sessions_app.flows.library import (
    STARTER_DIR,
    FlowDocument,
    export_flow_json,
    import_flows,
    read_flow_files,
    starter_files,
    write_flow_files,
)
from sessions_app.models import Flow


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, and the description's own line breaks (it shows the usages)."""


class Command(BaseCommand):
    help = """\
Import and export FlowPilot runbooks (one JSON flow document per file) and report what
changed: one line per flow (created, updated, unchanged, or skipped with the reason), then a
summary.

  load_flows
      Load the starter library shipped with ResolutionFlow into the global library, which
      every account sees.
  load_flows FILE_OR_DIR... [--account SLUG]
      Import the files (a folder means its *.json files) into the global library, or into
      one account's own flows. An account flow with the slug of a global one replaces it
      for that account.
  load_flows --export DIR [--account SLUG] [--slug SLUG...]
      Write the global library (or the account's own flows, or only the --slug ones) to
      DIR/<slug>.json, in the format the import reads back.

Imports match flows by slug: a new slug is created, a higher version updates, the same
version with the same content is unchanged. An older version, or other content under the
same version (an edit made in /admin/), is skipped and not overwritten: raise the version
to replace a flow. All or nothing: if any file is invalid (not JSON, a missing field, a
step pointing nowhere, an unreachable step, no resolution) the command names each file and
problem and imports nothing. --dry-run validates and reports what would happen, and changes
nothing. Safe to run again.
"""

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", metavar="FILE_OR_DIR",
            help="Flow documents to import: .json files, or folders whose *.json files are imported "
                 "(not their subfolders). Omit to load the starter library.",
        )
        parser.add_argument(
            "--account", metavar="SLUG",
            help="The account whose own flows to import into or export; without it, the global library.",
        )
        parser.add_argument(
            "--export", metavar="DIR", type=Path,
            help="Write flows to DIR/<slug>.json instead of importing (DIR is created if needed).",
        )
        parser.add_argument(
            "--slug", action="append", default=[], metavar="SLUG", dest="slugs",
            help="With --export: only this flow (repeat for several). Default: every flow in the scope.",
        )
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Validate and report what would change, without changing the database or any file.",
        )

    def handle(self, *args, paths, account, export, slugs, dry_run, **options):
        target = self.account_for(account)
        if export is not None:
            if paths:
                raise CommandError("--export writes files; it takes no FILE_OR_DIR to import.")
            self.export(target, Path(export), slugs, dry_run)
            return
        if slugs:
            raise CommandError("--slug picks flows to export; use it with --export.")
        if not paths and target is not None:
            raise CommandError(
                "The starter library is global: every account already sees it. To give an account its "
                "own copies to customise, export them and import the files: "
                f"load_flows --export DIR --slug SLUG, then load_flows DIR --account {target.slug}."
            )
        files = self.files_in(paths) if paths else starter_files()
        if not files:
            raise CommandError(f"The starter library folder {STARTER_DIR} has no .json files.")
        self.import_files(target, files, dry_run)

    # ---- arguments --------------------------------------------------------------------------

    def account_for(self, slug):
        if slug is None:
            return None
        account = Account.objects.filter(slug=slug.strip().lower()).first()
        if account is None:
            known = list(Account.objects.order_by("slug").values_list("slug", flat=True)[:10])
            hint = f" Known slugs: {', '.join(known)}." if known else " There are no accounts yet."
            raise CommandError(f"No account has the slug {slug!r}.{hint}")
        return account

    def files_in(self, paths) -> list[Path]:
        files, missing = [], []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                found = sorted(path.glob("*.json"))
                if not found:
                    raise CommandError(f"{path} has no .json files to import.")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            else:
                missing.append(str(path))
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}. Nothing was imported.")
        unique = {}
        for path in files:
            unique.setdefault(path.resolve(), path)
        return list(unique.values())

    @staticmethod
    def scope_name(account) -> str:
        return "the global library" if account is None else f"{account.name} ({account.slug})"

    def scope_title(self, account) -> str:
        return "The global library" if account is None else self.scope_name(account)

    # ---- import -----------------------------------------------------------------------------

    def import_files(self, account, files, dry_run):
        scope = Flow.objects.global_library() if account is None else Flow.objects.owned_by(account)
        try:
            documents = read_flow_files(files)
            stored = dict(scope.filter(slug__in=[d.slug for d in documents]).values_list("slug", "version"))
            with transaction.atomic():
                report = import_flows(documents=documents, account=account)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            problems = exc.messages
            noun = "problem" if len(problems) == 1 else "problems"
            raise CommandError(
                f"Nothing was imported: {len(problems)} {noun}:\n" + "\n".join(f"  {p}" for p in problems)
            ) from exc

        verb = {"created": "would create", "updated": "would update"} if dry_run else {}
        for document in documents:
            self.stdout.write(self.flow_line(document, report, stored, verb))
        where = self.scope_name(account)
        if dry_run:
            counts = [f"{len(report.created)} to create", f"{len(report.updated)} to update",
                      f"{len(report.unchanged)} unchanged"] + ([f"{len(report.skipped)} skipped"] if report.skipped
                                                               else [])
            self.stdout.write(f"Dry run for {where}: {', '.join(counts)}. Nothing was changed.")
        else:
            summary = f"{self.scope_title(account)}: {report.summary()}."
            self.stdout.write(self.style.SUCCESS(summary) if report.changed else summary)

    def flow_line(self, document: FlowDocument, report, stored: dict, verb: dict) -> str:
        slug, origin = document.slug, f"  ({document.origin})" if document.origin else ""
        if slug in report.created:
            return f"{verb.get('created', 'created'):<14}{slug} v{document.version}{origin}"
        if slug in report.updated:
            return f"{verb.get('updated', 'updated'):<14}{slug} v{stored[slug]} → v{document.version}{origin}"
        if slug in report.unchanged:
            return f"{'unchanged':<14}{slug} v{document.version}{origin}"
        return self.style.WARNING(f"{'skipped':<14}{slug}{origin}: {report.skipped[slug]}")

    # ---- export -----------------------------------------------------------------------------

    def export(self, account, directory: Path, slugs, dry_run):
        scope = Flow.objects.global_library() if account is None else Flow.objects.owned_by(account)
        flows = list(scope.order_by("slug"))
        if slugs:
            wanted = list(dict.fromkeys(slug.strip().lower() for slug in slugs))
            by_slug = {flow.slug: flow for flow in flows}
            unknown = [slug for slug in wanted if slug not in by_slug]
            if unknown:
                raise CommandError(
                    f"{self.scope_title(account)} has no flow with the slug "
                    f"{', '.join(repr(s) for s in unknown)}. Nothing was exported."
                )
            flows = [by_slug[slug] for slug in wanted]
        if not flows:
            raise CommandError(f"{self.scope_title(account)} has no flows to export.")
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a folder.")

        changed, lines, counts = [], [], {"written": 0, "replaced": 0, "unchanged": 0}
        for flow in flows:
            path = directory / f"{flow.slug}.json"
            if not path.exists():
                outcome = "written"
            elif path.read_bytes() == export_flow_json(flow).encode("utf-8"):
                outcome = "unchanged"
            else:
                outcome = "replaced"
            counts[outcome] += 1
            if outcome != "unchanged":
                changed.append(flow)
            label = {"written": "would write" if dry_run else "wrote",
                     "replaced": "would replace" if dry_run else "replaced", "unchanged": "unchanged"}[outcome]
            inactive = " (inactive)" if not flow.is_active else ""
            lines.append(f"{label:<14}{path} v{flow.version}{inactive}")
        if not dry_run:
            try:
                write_flow_files(flows=changed, directory=directory)
            except OSError as exc:
                raise CommandError(f"Cannot write to {directory}: {exc}") from exc
        for line in lines:
            self.stdout.write(line)
        noun = "flow" if len(flows) == 1 else "flows"
        tally = f"{counts['written']} new, {counts['replaced']} replaced, {counts['unchanged']} unchanged"
        if dry_run:
            self.stdout.write(f"Dry run: would export {len(flows)} {noun} of {self.scope_name(account)} to "
                              f"{directory} ({tally}). No file was written.")
        else:
            self.stdout.write(f"Exported {len(flows)} {noun} of {self.scope_name(account)} to {directory}: {tally}.")
