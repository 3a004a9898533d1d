"""Keeps the assistant's search index current (``index``): a runbook is indexed whenever it
is saved or deleted, by any path; a session when it is resolved through the sessions
service (the ``session_activity`` signal). Other writers of resolutions are caught up before each
search (``index.catch_up``)."""

from django.db.models.signals import post_delete, post_save

from ..models import Flow, TroubleshootingSession
from ..signals import session_activity
from . import index


def _flow_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.index_flow(instance)


def _flow_deleted(sender, instance, **kwargs):
    index.unindex_flow(instance)


def _session_resolved(*, session, actor, kind, **_signal):
    if kind == "resolve":
        index.index_session(session)


def connect() -> None:
    post_save.connect(_flow_saved, sender=Flow, dispatch_uid="assistant_index_flow_saved")
    post_delete.connect(_flow_deleted, sender=Flow, dispatch_uid="assistant_index_flow_deleted")
    session_activity.connect(_session_resolved, sender=TroubleshootingSession, dispatch_uid="assistant_index_session")
