from accounts.realtime import AccountConsumer

from .events import account_group


class QueueConsumer(AccountConsumer):
    """``/ws/v1/queue/``: the account's escalation events."""

    async def get_groups(self):
        return [account_group(self.user.account_id)]

    async def on_accepted(self):
        await self.send_json({"event": "hello", "account": str(self.user.account_id)})
