"""The account's own flows: created, edited and imported by its admins.

The global starter library is shared by every account and read-only to them: an account
customises a library runbook by creating (or importing) its own flow with the same slug,
which shadows the global one (``FlowManager.available_to``). Editing the global flow itself
is refused with 403 ``library_flow_read_only``: it is visible, so "not found" would be a lie.
"""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.errors import Conflict, NotPermitted, ServiceError
from accounts.models import Account, User
from accounts.rules import require
from sessions_app.flows.graph import FlowValidationError
from sessions_app.flows.library import ImportReport, document_from_dict, import_flows
from sessions_app.models import Flow
from sessions_app.rules import may_manage_flows

# What an edit may change; a change to any of the content fields raises the version, so a
# session's recorded ``flow_version`` always names one graph, and a re-import of the old
# document is reported as older instead of silently undoing the edit.
CONTENT_FIELDS = ("name", "description", "graph", "tags", "keywords")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "is_active")


FLOWS_REFUSED = "Only an admin of this account may change its flows."


def _save(flow: Flow, **save_kwargs) -> Flow:
    flow.full_clean()
    try:
        with transaction.atomic():
            flow.save(**save_kwargs)
    except IntegrityError as exc:
        # full_clean checked the slug; only a concurrent create with the same slug gets here.
        raise Conflict("This account already has a flow with this slug.", code="duplicate_slug") from exc
    return flow


@transaction.atomic
def flow_create(*, account: Account, actor: User, name: str, graph, slug: str = "", description: str = "",
                version: int = 1, tags: list[str] | None = None, keywords: list[str] | None = None,
                is_active: bool = True) -> Flow:
    """A new flow of the account; an invalid graph is refused with every problem listed."""
    require(may_manage_flows(actor, account), FLOWS_REFUSED)
    name = name.strip()
    slug = slug.strip() or slugify(name)[:80].strip("-")
    if not slug:
        raise ServiceError("Give the flow a slug (letters, digits and hyphens).", code="invalid")
    flow = Flow(account=account, slug=slug, name=name, description=description.strip(), version=version,
                graph=graph, tags=list(tags or []), keywords=list(keywords or []), is_active=is_active)
    return _save(flow)


@transaction.atomic
def flow_update(*, flow: Flow, actor: User, **changes) -> Flow:
    if flow.is_global:
        raise NotPermitted(
            "This flow belongs to the shared starter library and cannot be edited. Create or import a flow "
            "with the same slug to replace it for your account.",
            code="library_flow_read_only",
        )
    require(may_manage_flows(actor, flow.account), FLOWS_REFUSED)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.", code="invalid")
    changes = {name: value.strip() if isinstance(value, str) else value for name, value in changes.items()}
    locked = Flow.objects.owned_by(flow.account).select_for_update().get(pk=flow.pk)
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    if set(changed) & set(CONTENT_FIELDS):
        locked.version += 1
        changed.append("version")
    return _save(locked, update_fields=[*changed, "updated_at"])


def flow_import(*, account: Account, actor: User, documents: list) -> ImportReport:
    """Import flow documents (parsed JSON) into the account's own flows. All or nothing: one
    bad document refuses the batch with every problem of every document listed."""
    require(may_manage_flows(actor, account), FLOWS_REFUSED)
    if not documents:
        raise ServiceError("Send a flow document, or a list of them.", code="empty_import")
    parsed, problems = [], []
    for number, data in enumerate(documents, start=1):
        slug = data.get("slug") if isinstance(data, dict) else None
        origin = f"document {number}" + (f" ({slug})" if isinstance(slug, str) and slug else "")
        try:
            parsed.append(document_from_dict(data, origin=origin))
        except FlowValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise FlowValidationError(problems)
    return import_flows(documents=parsed, account=account)
