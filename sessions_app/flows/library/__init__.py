"""The flow library: the starter runbooks shipped here as JSON files, and the import and
export of flow documents (the ``load_flows`` command, ``create_pilot_account`` and the API
import all go through these functions).

This is a package rather than ``library.py`` beside a ``library/`` folder of data: the two
would share one import name, and which one Python picks depends on a file that is easy to
add by accident.

A flow document (one per file) is::

    {"slug": "outlook-will-not-start", "name": "Outlook will not start", "version": 3,
     "description": "...", "tags": ["email"], "keywords": ["outlook", "0x800ccc0e"],
     "graph": {"start": ..., "steps": {...}}}

Imports are idempotent by slug and version within one scope (the global library or one
account): a new slug is created, a higher version updates, the same version with the same
content is unchanged. The same version with other content, or an older version, is skipped
and reported with the reason, never silently applied or dropped. A batch is all or
nothing: one invalid document refuses the whole import with every problem listed.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ...models import Flow
from ..graph import FlowValidationError, graph_problems

STARTER_DIR = Path(__file__).resolve().parent
DOCUMENT_FIELDS = ("slug", "name", "description", "version", "tags", "keywords", "graph")
_REQUIRED = ("slug", "name", "version", "graph")


@dataclass(frozen=True)
class FlowDocument:
    slug: str
    name: str
    version: int
    graph: dict
    description: str = ""
    tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    origin: str = ""

    def as_dict(self) -> dict:
        return {"slug": self.slug, "name": self.name, "description": self.description,
                "version": self.version, "tags": list(self.tags), "keywords": list(self.keywords),
                "graph": self.graph}


@dataclass
class ImportReport:
    """What an import did, slug by slug. ``skipped`` maps a slug to the reason."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        parts = [f"{len(self.created)} created", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)

    def lines(self) -> list[str]:
        """One line per flow that was not left unchanged, for command output."""
        return ([f"created {slug}" for slug in self.created] + [f"updated {slug}" for slug in self.updated]
                + [f"skipped {slug}: {reason}" for slug, reason in self.skipped.items()])


# ---- reading documents --------------------------------------------------------------------


def document_from_dict(data, *, origin: str = "") -> FlowDocument:
    """A checked flow document, or FlowValidationError listing every problem (prefixed with
    ``origin``, the file name, when there is one)."""
    where = f"{origin}: " if origin else ""
    if not isinstance(data, dict):
        raise FlowValidationError([f"{where}a flow document must be a JSON object."])
    problems = [f"unknown field {key!r}" for key in data if key not in DOCUMENT_FIELDS]
    problems += [f"missing {key!r}" for key in _REQUIRED if key not in data]
    slug, name, version = data.get("slug"), data.get("name"), data.get("version")
    if "slug" in data and (not isinstance(slug, str) or not slug or slugify(slug) != slug or len(slug) > 80):
        problems.append(f"slug {slug!r} must be lower-case letters, digits and hyphens (at most 80)")
    if "name" in data and (not isinstance(name, str) or not name.strip() or len(name) > 120):
        problems.append("name must be a non-empty text of at most 120 characters")
    if "version" in data and (type(version) is not int or version < 1):
        problems.append(f"version {version!r} must be a whole number from 1")
    if not isinstance(data.get("description", ""), str):
        problems.append("description must be text")
    for key in ("tags", "keywords"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            problems.append(f"{key} must be a list of non-empty strings")
    if "graph" in data:
        problems += graph_problems(data["graph"])
    if problems:
        raise FlowValidationError([f"{where}{problem}" for problem in problems])
    return FlowDocument(
        slug=slug, name=name.strip(), version=version, graph=data["graph"],
        description=data.get("description", "").strip(), tags=tuple(data.get("tags", [])),
        keywords=tuple(data.get("keywords", [])), origin=origin,
    )


def read_flow_file(path: Path) -> FlowDocument:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowValidationError([f"{path.name}: cannot be read ({exc})."]) from exc
    except json.JSONDecodeError as exc:
        raise FlowValidationError([f"{path.name}: not valid JSON (line {exc.lineno}: {exc.msg})."]) from exc
    return document_from_dict(data, origin=path.name)


def read_flow_files(paths) -> list[FlowDocument]:
    """Every document of the files, or one FlowValidationError with the problems of all."""
    documents, problems = [], []
    for path in paths:
        try:
            documents.append(read_flow_file(path))
        except FlowValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise FlowValidationError(problems)
    return documents


def starter_files(directory: Path | None = None) -> list[Path]:
    return sorted(Path(directory or STARTER_DIR).glob("*.json"))


# ---- importing ----------------------------------------------------------------------------


@transaction.atomic
def import_flows(*, documents: list[FlowDocument], account=None) -> ImportReport:
    """Import documents into the account's flows, or the global library when ``account`` is
    None. See the module docstring for what each outcome means."""
    seen: dict[str, str] = {}
    for document in documents:
        if document.slug in seen:
            raise FlowValidationError([
                f"{document.origin or document.slug}: the slug {document.slug!r} is also used by "
                f"{seen[document.slug] or 'another document'} in this import."
            ])
        seen[document.slug] = document.origin

    scope = Flow.objects.owned_by(account) if account is not None else Flow.objects.global_library()
    existing = {flow.slug: flow for flow in scope.select_for_update().filter(slug__in=seen)}
    report = ImportReport()
    for document in documents:
        flow = existing.get(document.slug)
        if flow is None:
            flow = Flow(account=account, slug=document.slug)
            _apply(flow, document)
            flow.full_clean()
            flow.save()
            report.created.append(document.slug)
        elif document.version > flow.version:
            _apply(flow, document)
            flow.full_clean()
            flow.save()
            report.updated.append(document.slug)
        elif document.version < flow.version:
            report.skipped[document.slug] = (
                f"version {document.version} is older than the stored version {flow.version}"
            )
        elif _same_content(flow, document):
            report.unchanged.append(document.slug)
        else:
            report.skipped[document.slug] = (
                f"version {document.version} differs from the stored flow of the same version; "
                "raise the version to replace it"
            )
    return report


def import_flow_files(*, paths, account=None) -> ImportReport:
    return import_flows(documents=read_flow_files(paths), account=account)


def load_library(*, account=None, directory: Path | None = None) -> ImportReport:
    """Import the starter library (or every ``*.json`` of ``directory``) into the global
    library, or into one account's own flows."""
    return import_flow_files(paths=starter_files(directory), account=account)


def starter_library_ensure(account=None, **_signal) -> str | None:
    """A starter-content loader receiving ``accounts.signals.starter_content``: keeps the
    global library current (the account does not matter: the library is shared) and says
    so only when something changed."""
    report = load_library()
    if not (report.changed or report.skipped):
        return None
    return f"Starter flow library: {report.summary()}."


def _apply(flow, document: FlowDocument) -> None:
    flow.name = document.name
    flow.description = document.description
    flow.version = document.version
    flow.graph = document.graph
    flow.tags = list(document.tags)
    flow.keywords = list(document.keywords)


def _same_content(flow, document: FlowDocument) -> bool:
    return export_flow(flow) == document.as_dict()


# ---- exporting ----------------------------------------------------------------------------


def export_flow(flow) -> dict:
    """The flow as a document: the exact shape ``document_from_dict`` reads back."""
    return {"slug": flow.slug, "name": flow.name, "description": flow.description, "version": flow.version,
            "tags": list(flow.tags), "keywords": list(flow.keywords), "graph": flow.graph}


def export_flow_json(flow) -> str:
    return json.dumps(export_flow(flow), indent=2, ensure_ascii=False) + "\n"


def write_flow_files(*, flows, directory: Path) -> list[Path]:
    """Write each flow to ``<directory>/<slug>.json``; the written paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for flow in flows:
        path = directory / f"{flow.slug}.json"
        path.write_text(export_flow_json(flow), encoding="utf-8")
        written.append(path)
    return written
