"""Importing and exporting flows: idempotent by slug and version, all or nothing, honest reports."""

import json
import shutil

import pytest

from sessions_app.flows.graph import FlowValidationError
from sessions_app.flows.library import (
    document_from_dict,
    export_flow,
    import_flow_files,
    import_flows,
    load_library,
    read_flow_file,
    starter_files,
    starter_library_ensure,
    write_flow_files,
)
from sessions_app.models import Flow

from .factories import small_graph

STARTER_SLUGS = sorted(path.stem for path in starter_files())


@pytest.fixture
def library_copy(tmp_path):
    """A writable copy of the starter library."""
    for path in starter_files():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(path, **changes):
    document = json.loads(path.read_text(encoding="utf-8"))
    document.update(changes)
    path.write_text(json.dumps(document), encoding="utf-8")
    return document


def document(slug="restart-first", version=1, **extra):
    return document_from_dict({"slug": slug, "name": "Restart first", "version": version, "graph": small_graph(),
                               **extra})


def test_loading_the_starter_library_creates_every_runbook_globally(db):
    report = load_library()
    assert sorted(report.created) == STARTER_SLUGS
    assert (report.updated, report.unchanged, report.skipped) == ([], [], {})
    assert sorted(Flow.objects.global_library().values_list("slug", flat=True)) == STARTER_SLUGS


def test_loading_the_library_twice_changes_nothing_the_second_time(db):
    load_library()
    before = {flow.slug: flow.updated_at for flow in Flow.objects.global_library()}
    report = load_library()
    assert sorted(report.unchanged) == STARTER_SLUGS
    assert not report.changed and report.summary() == f"0 created, 0 updated, {len(STARTER_SLUGS)} unchanged"
    assert {flow.slug: flow.updated_at for flow in Flow.objects.global_library()} == before


def test_a_newer_version_in_a_file_updates_the_flow(db, library_copy):
    load_library(directory=library_copy)
    edit(library_copy / "disk-full.json", version=2, name="Disk full (C: drive)")
    report = load_library(directory=library_copy)
    assert report.updated == ["disk-full"]
    assert report.lines() == ["updated disk-full"]
    flow = Flow.objects.global_library().get(slug="disk-full")
    assert (flow.version, flow.name) == (2, "Disk full (C: drive)")


def test_changed_content_under_the_same_version_is_skipped_with_the_reason(db, library_copy):
    load_library(directory=library_copy)
    edit(library_copy / "disk-full.json", name="Renamed without a new version")
    report = load_library(directory=library_copy)
    assert "raise the version" in report.skipped["disk-full"]
    assert report.summary().endswith("1 skipped")
    assert Flow.objects.global_library().get(slug="disk-full").name == "Disk full"


def test_an_older_version_never_replaces_a_newer_one(db):
    import_flows(documents=[document(version=3)])
    report = import_flows(documents=[document(version=2)])
    assert report.skipped == {"restart-first": "version 2 is older than the stored version 3"}
    assert Flow.objects.global_library().get().version == 3


def test_one_invalid_file_refuses_the_whole_import_and_names_the_file(db, library_copy):
    broken = edit(library_copy / "slow-computer.json")
    broken["graph"]["steps"]["when-slow"]["options"][0]["next"] = "nowhere"
    (library_copy / "slow-computer.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(FlowValidationError) as exc:
        load_library(directory=library_copy)
    assert exc.value.messages == [
        "slow-computer.json: Step 'when-slow' option 'All the time' points to 'nowhere' which does not exist."
    ]
    assert not Flow.unscoped.exists()


def test_a_file_that_is_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"slug": "bad",\n  "name": }', encoding="utf-8")
    with pytest.raises(FlowValidationError, match=r"bad.json: not valid JSON \(line 2"):
        read_flow_file(path)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"name": "x", "version": 1, "graph": small_graph()}, "missing 'slug'"),
        ({"slug": "Bad Slug", "name": "x", "version": 1, "graph": small_graph()}, "slug 'Bad Slug' must be"),
        ({"slug": "ok", "name": "x", "version": "2", "graph": small_graph()}, "version '2' must be a whole number"),
        ({"slug": "ok", "name": "x", "version": 1, "graph": small_graph(), "tags": "email"}, "tags must be a list"),
        ({"slug": "ok", "name": "x", "version": 1, "graph": small_graph(), "steps": []}, "unknown field 'steps'"),
        ({"slug": "ok", "name": " ", "version": 1, "graph": small_graph()}, "name must be a non-empty text"),
    ],
)
def test_a_malformed_document_is_refused(data, problem):
    with pytest.raises(FlowValidationError) as exc:
        document_from_dict(data, origin="upload.json")
    assert any(message.startswith("upload.json: ") and problem in message for message in exc.value.messages)


def test_two_documents_with_one_slug_are_refused(db):
    with pytest.raises(FlowValidationError, match="also used"):
        import_flows(documents=[document(), document()])
    assert not Flow.unscoped.exists()


def test_an_account_import_is_separate_from_the_global_library(northwind, outsider):
    load_library()
    ours = document(slug="disk-full", version=1)
    report = import_flows(documents=[ours], account=northwind)
    assert report.created == ["disk-full"]
    assert Flow.objects.owned_by(northwind).get().name == "Restart first"
    available = {flow.slug: flow for flow in Flow.objects.available_to(northwind)}
    assert available["disk-full"].account == northwind
    assert Flow.objects.available_to(outsider).get(slug="disk-full").is_global


def test_an_exported_flow_reads_back_as_the_same_document(db):
    load_library()
    flow = Flow.objects.global_library().get(slug="vpn-will-not-connect")
    exported = export_flow(flow)
    assert document_from_dict(exported).as_dict() == exported
    assert exported == json.loads((starter_files()[0].parent / "vpn-will-not-connect.json").read_text("utf-8"))


def test_exported_files_import_into_another_account_and_then_are_unchanged(northwind, tmp_path):
    load_library()
    paths = write_flow_files(flows=Flow.objects.global_library(), directory=tmp_path / "export")
    assert len(paths) == len(STARTER_SLUGS)
    first = import_flow_files(paths=paths, account=northwind)
    second = import_flow_files(paths=paths, account=northwind)
    assert sorted(first.created) == STARTER_SLUGS
    assert sorted(second.unchanged) == STARTER_SLUGS


def test_the_starter_content_loader_speaks_only_when_something_changed(northwind):
    expected = f"Starter flow library: {len(STARTER_SLUGS)} created, 0 updated, 0 unchanged."
    assert starter_library_ensure(northwind) == expected
    assert starter_library_ensure(northwind) is None
