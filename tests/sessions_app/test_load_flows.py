"""manage.py load_flows: imports report flow by flow, exports read back unchanged, and a bad
file, an unknown account or a dry run change nothing."""

import json
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from sessions_app.flows.library import starter_files
from sessions_app.models import Flow

from .factories import FlowFactory, small_graph

STARTER_SLUGS = sorted(path.stem for path in starter_files())


def run(*args, **options):
    out = StringIO()
    call_command("load_flows", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def flows():
    """Everything an import may change, for before/after comparisons."""
    return sorted(Flow.unscoped.values_list("account_id", "slug", "version", "name", "graph", "updated_at"),
                  key=lambda row: (str(row[0]), row[1]))


def write(directory, slug, version=1, **extra):
    directory.mkdir(parents=True, exist_ok=True)
    document = {"slug": slug, "name": slug.replace("-", " ").capitalize(), "version": version,
                "graph": small_graph(), **extra}
    path = directory / f"{slug}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_help_explains_every_use():
    parser = load_command_class("sessions_app", "load_flows").create_parser("manage.py", "load_flows")
    text = " ".join(parser.format_help().split())
    for words in ("starter library", "FILE_OR_DIR", "--account SLUG", "--export DIR", "--slug", "--dry-run",
                  "raise the version", "imports nothing", "Safe to run again"):
        assert words in text


def test_with_no_arguments_it_loads_the_starter_library_and_then_reports_it_unchanged(db):
    first = run()
    assert sorted(Flow.objects.global_library().values_list("slug", flat=True)) == STARTER_SLUGS
    versions = dict(Flow.objects.global_library().values_list("slug", "version"))
    for slug in STARTER_SLUGS:
        assert f"created       {slug} v{versions[slug]}  ({slug}.json)" in first
    assert f"The global library: {len(STARTER_SLUGS)} created, 0 updated, 0 unchanged." in first

    before = flows()
    second = run()
    assert flows() == before
    assert all(f"unchanged     {slug} v{versions[slug]}" in second for slug in STARTER_SLUGS)
    assert f"The global library: 0 created, 0 updated, {len(STARTER_SLUGS)} unchanged." in second


def test_a_folder_imports_into_the_account_and_nowhere_else(northwind, outsider, tmp_path):
    write(tmp_path / "runbooks", "restart-first")
    write(tmp_path / "runbooks", "printer-jam")
    (tmp_path / "runbooks" / "README.txt").write_text("not a flow", encoding="utf-8")
    output = run(str(tmp_path / "runbooks"), account=northwind.slug)
    assert sorted(Flow.objects.owned_by(northwind).values_list("slug", flat=True)) == ["printer-jam", "restart-first"]
    assert not Flow.objects.owned_by(outsider).exists() and not Flow.objects.global_library().exists()
    assert "Northwind IT (northwind): 2 created, 0 updated, 0 unchanged." in output


def test_files_and_folders_mix_and_a_file_named_twice_is_read_once(northwind, tmp_path):
    one = write(tmp_path / "a", "restart-first")
    write(tmp_path / "b", "printer-jam")
    output = run(str(one), str(tmp_path / "b"), str(one), account=northwind.slug)
    assert "2 created" in output and Flow.objects.owned_by(northwind).count() == 2


def test_a_newer_version_updates_and_says_from_which(northwind, tmp_path):
    run(str(write(tmp_path, "restart-first")), account=northwind.slug)
    output = run(str(write(tmp_path, "restart-first", version=2, name="Restart it first")), account=northwind.slug)
    assert "updated       restart-first v1 → v2" in output
    assert Flow.objects.owned_by(northwind).get().name == "Restart it first"


def test_other_content_under_the_same_version_is_skipped_with_the_reason(northwind, tmp_path):
    run(str(write(tmp_path, "restart-first")), account=northwind.slug)
    output = run(str(write(tmp_path, "restart-first", name="Edited without a new version")), account=northwind.slug)
    assert "skipped       restart-first  (restart-first.json): version 1 differs" in output
    assert "raise the version to replace it" in output and output.rstrip().endswith("1 skipped.")
    assert Flow.objects.owned_by(northwind).get().name == "Restart first"


def test_the_exported_library_imports_back_unchanged(db, tmp_path):
    run()
    output = run(export=str(tmp_path / "out"))
    assert sorted(path.stem for path in (tmp_path / "out").glob("*.json")) == STARTER_SLUGS
    assert f"Exported {len(STARTER_SLUGS)} flows of the global library" in output
    before = flows()
    again = run(str(tmp_path / "out"))
    assert flows() == before
    assert f"0 created, 0 updated, {len(STARTER_SLUGS)} unchanged." in again


def test_an_accounts_flows_export_and_import_into_another_account(northwind, outsider, tmp_path):
    FlowFactory(account=northwind, slug="restart-first", name="Restart first")
    FlowFactory(account=northwind, slug="printer-jam", name="Printer jam")
    FlowFactory(account=None, slug="global-only")
    run(export=str(tmp_path), account=northwind.slug)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["printer-jam.json", "restart-first.json"]
    run(str(tmp_path), account=outsider.slug)
    assert sorted(Flow.objects.owned_by(outsider).values_list("slug", flat=True)) == ["printer-jam", "restart-first"]
    assert "2 unchanged" in run(str(tmp_path), account=northwind.slug)


def test_export_with_slugs_writes_only_those_and_says_when_a_file_is_already_current(db, tmp_path):
    run()
    first = run(export=str(tmp_path), slug=["disk-full", "vpn-will-not-connect"])
    assert sorted(path.stem for path in tmp_path.iterdir()) == ["disk-full", "vpn-will-not-connect"]
    assert f"wrote         {tmp_path / 'disk-full.json'} v1" in first
    second = run(export=str(tmp_path), slug=["disk-full"])
    assert f"unchanged     {tmp_path / 'disk-full.json'} v1" in second and "0 new, 0 replaced, 1 unchanged" in second


def test_an_unknown_slug_to_export_is_an_error_that_writes_nothing(db, tmp_path):
    run()
    with pytest.raises(CommandError, match="The global library has no flow with the slug 'nope'"):
        run(export=str(tmp_path / "out"), slug=["disk-full", "nope"])
    assert not (tmp_path / "out").exists()


def test_an_invalid_file_is_an_error_naming_the_file_and_its_problems_and_nothing_is_imported(northwind, tmp_path):
    write(tmp_path, "restart-first")
    broken = small_graph()
    broken["steps"]["restart"]["options"][1]["next"] = "nowhere"
    write(tmp_path, "broken-flow", graph=broken)
    (tmp_path / "zz-not-json.json").write_text('{"slug": ', encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run(str(tmp_path), account=northwind.slug)
    message = str(exc.value)
    assert message.startswith("Nothing was imported: 3 problems:")
    assert "broken-flow.json: Step 'restart' option 'No' points to 'nowhere' which does not exist." in message
    assert "broken-flow.json: Step 'res-escalate' cannot be reached from the start step 'restart'." in message
    assert "zz-not-json.json: not valid JSON (line 1" in message
    assert not Flow.unscoped.exists()


def test_a_dry_run_reports_what_would_change_and_changes_nothing(northwind, tmp_path):
    run(str(write(tmp_path, "restart-first")), account=northwind.slug)
    write(tmp_path, "restart-first", version=2)
    write(tmp_path, "printer-jam")
    before = flows()
    output = run(str(tmp_path), account=northwind.slug, dry_run=True)
    assert flows() == before
    assert "would create  printer-jam v1" in output and "would update  restart-first v1 → v2" in output
    assert "Dry run for Northwind IT (northwind): 1 to create, 1 to update, 0 unchanged. Nothing was changed." in output


def test_a_dry_run_still_refuses_an_invalid_file(db, tmp_path):
    write(tmp_path, "broken-flow", graph={"start": "missing", "steps": {}})
    with pytest.raises(CommandError, match="broken-flow.json: The flow has no steps"):
        run(str(tmp_path), dry_run=True)


def test_a_dry_run_export_writes_no_file(db, tmp_path):
    run()
    output = run(export=str(tmp_path / "out"), dry_run=True)
    assert not (tmp_path / "out").exists()
    assert f"would write   {tmp_path / 'out' / 'disk-full.json'} v1" in output and "No file was written." in output


def test_an_unknown_account_is_a_clear_error(northwind, tmp_path):
    path = write(tmp_path, "restart-first")
    with pytest.raises(CommandError, match=r"No account has the slug 'nowhere'\. Known slugs: northwind"):
        run(str(path), account="nowhere")
    with pytest.raises(CommandError, match="No account has the slug 'nowhere'"):
        run(export=str(tmp_path), account="nowhere")
    assert not Flow.unscoped.exists()


@pytest.mark.parametrize(("args", "options", "error"), [
    ((), {"account": "northwind"}, "The starter library is global"),
    (("missing.json",), {}, "No such file or folder: missing.json"),
    (("some.json",), {"export": "out"}, "takes no FILE_OR_DIR"),
    ((), {"slug": ["disk-full"]}, "use it with --export"),
])
def test_a_muddled_command_line_is_refused_with_what_to_do(northwind, args, options, error):
    with pytest.raises(CommandError, match=error):
        run(*args, **options)
    assert not Flow.unscoped.exists()


def test_an_empty_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="has no .json files"):
        run(str(tmp_path))
