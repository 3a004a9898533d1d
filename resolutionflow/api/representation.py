"""Helpers for representations built directly (issue 9): the objects every list shows once per
row (sessions, escalations, people) skip DRF's field-by-field walk, which was most of a list
request's time. Each such ``to_representation`` keeps the walk as its tested reference
(tests/api/test_direct_representations.py), so the two cannot drift apart."""

import datetime

from django.utils import timezone
from rest_framework import serializers

_DATETIME = serializers.DateTimeField()


def moment(value, zone: datetime.tzinfo | None = None) -> str | None:
    """A datetime as DRF writes it (ISO 8601 in the current time zone, ``Z`` for UTC), or None.

    ``zone``: the current time zone when the caller has it already (a row asks once for its
    three to five values: the lookup was a third of the cost). An aware value goes the short way
    (``astimezone``, ``isoformat``, ``+00:00`` → ``Z``, as ``DateTimeField.to_representation``);
    anything else goes through DRF's field."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return _DATETIME.to_representation(value)
