"""``DELETE /api/v1/auth/tokens/{id}/`` closes the sockets opened with that token (4401), as
``auth/token/revoke/`` does, and only those."""

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from tests.realtime.test_credentials_close_sockets import closed_with, new_token, open_queue
from tests.realtime.test_handoff_sockets import team

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def delete_token(key_header, token_id):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=key_header[1].decode())
    return client.delete(f"/api/v1/auth/tokens/{token_id}/").status_code


async def test_deleting_a_token_closes_its_sockets_and_leaves_the_others_open():
    cast = await team()
    laptop, laptop_header = await new_token(cast["senior"])
    _board, board_header = await new_token(cast["senior"])
    on_laptop = await open_queue(laptop_header)
    on_board = await open_queue(board_header)

    assert await delete_token(board_header, laptop.pk) == 204

    assert await closed_with(on_laptop) == 4401
    # The other token's socket still answers: a ping's pong is its next frame.
    await on_board.send_json_to({"type": "ping"})
    assert await on_board.receive_json_from(timeout=5) == {"event": "pong"}
    await on_board.disconnect()
