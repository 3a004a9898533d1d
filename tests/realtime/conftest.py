import pytest
from asgiref.sync import sync_to_async
from django.db import connections


@pytest.fixture(autouse=True)
async def _close_db_connections():
    """Async consumers open connections in worker threads; close them so the test
    database can be dropped at the end of the run."""
    yield
    await sync_to_async(connections.close_all)()
