"""Helpers for representations built directly (issue 9): the objects every list shows once per
row (sessions, escalations, people) skip DRF's field-by-field walk, which was most of a list
request's time. Each such ``to_representation`` keeps the walk as its tested reference
(tests/api/test_direct_representations.py), so the two cannot drift apart."""

from rest_framework import serializers

_DATETIME = serializers.DateTimeField()


def moment(value) -> str | None:
    """A datetime as DRF writes it (ISO 8601 in the current time zone, ``Z`` for UTC), or None."""
    return None if value is None else _DATETIME.to_representation(value)
