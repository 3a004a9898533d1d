"""Enqueueing background work with the change that causes it (docs/architecture.md#background-work).

With the database backend (django-tasks-db, the default) the task row is written in the
caller's transaction: a rollback enqueues nothing and a commit never forgets (a transactional
outbox). Other backends (RQ) cannot join the transaction, so they are enqueued once it commits.
"""

from django.db import transaction
from django.tasks import task_backends
from django_tasks_db import DatabaseBackend


def writes_to_this_database(task) -> bool:
    """Whether enqueueing ``task`` writes a row of this database (django-tasks-db)."""
    return isinstance(task_backends[task.backend], DatabaseBackend)


def enqueue_with_transaction(task, *args, **kwargs) -> None:
    """Enqueue ``task`` inside the current transaction (database backend) or right after it
    commits (any other backend). Outside a transaction both happen at once."""
    if writes_to_this_database(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs))
