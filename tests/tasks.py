"""Run the background tasks that are due, as ``manage.py db_worker --batch`` would, inside
the test's own database connection (the real command closes "old" connections between
tasks, which would end a test's transaction). Each task runs through django-tasks-db's own
``Worker.run_task``, so success, failure and the stored result are the library's.

Tests of a real worker process (killed servers, restarts) run ``db_worker`` as a subprocess
instead (tests/handoffs/test_deliveries_durable.py)."""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_due_tasks(*, limit: int = 500) -> int:
    """Run every task that is due now, including retries that become due at once; returns
    how many ran. Fails the test if more than ``limit`` ran (a retry loop that never ends)."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="pytest", excluded_queue_names=[])
    ran = 0
    while True:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
        assert ran <= limit, "tasks kept re-enqueueing themselves"


def pending_tasks() -> int:
    """Tasks written and not yet run (due or not)."""
    return DBTaskResult.objects.filter(status="READY").count()
