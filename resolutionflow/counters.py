"""Counters a stale object must never write back (docs/architecture.md#events-and-seq).

``Account.event_seq`` and ``TroubleshootingSession.event_seq`` are only ever moved by a
conditional ``UPDATE … SET event_seq = event_seq + 1`` in the change's transaction. A plain
``save()`` writes every column, so an object loaded before another request's increment (the
Django admin's change form, a command, a service that saved the whole row) would put the
counter back: the next event would reuse a number already given out, which breaks the
per-account unique ``seq`` and makes clients miss events.

Models list such columns in ``counter_fields``; a ``save()`` of an existing row without
``update_fields`` then writes every other concrete column and leaves the counters alone.
"""


class KeepsCounters:
    """Mixin for models with counters moved only by conditional updates.

    ``counter_fields``: names of the columns a full-row ``save()`` must skip. A ``save()``
    that names them in ``update_fields`` still writes them (deliberate, e.g. a data repair).
    """

    counter_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.counter_fields
            ]
        return super().save(*args, **kwargs)
