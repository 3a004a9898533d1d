"""The bases of every API serializer: DRF's, taking JSON's types as the schema states them.

DRF's ``CharField`` turns a number into its text, so ``{"title": 5}`` was saved as ``"5"``
and ``{"note": true}`` refused only by accident, although the OpenAPI schema says
``string``. A frontend that sends the wrong type has a bug it should hear about. Here a
string field (``CharField`` and its kinds: email, slug, URL, regex), or a list of them, given
anything but a string — or ``null`` where the field allows it, which DRF decides — is 400
``invalid`` on that field (``errors``, ``code`` ``invalid``), before DRF's own validation.
Every serializer of the API derives from ``Serializer`` or ``ModelSerializer`` below
(``tests/api/test_strict_strings.py`` checks both the rule and that nothing bypasses it).

A body field the serializer does not know at all is 400 too (``unknown_field`` on that field):
DRF drops it silently, so ``{"ticket": "T-1"}`` for ``ticket_ref`` created a session without
its ticket, and ``{"status": "resolved"}`` on create was accepted and ignored. A read-only
field of the serializer itself is still ignored, which matters only where one serializer both
reads and writes (``PATCH account/``); most operations take their own request serializer, so a
field copied from an answer is refused there. The schema says the same
(``additionalProperties: false`` on every request body: ``resolutionflow.api.schema``).
"""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

NOT_A_STRING = "Not a valid string: send text in quotes."
UNKNOWN_FIELD = "Unknown field: this request does not take it (check its name in the API schema)."


def _string_errors(field, value) -> list | dict | None:
    """The errors of ``value`` in string field ``field``: a list for the field, a dict by index
    for the items of a list of strings (named ``keywords.3`` in the answer), or None."""
    invalid = [ErrorDetail(NOT_A_STRING, code="invalid")]
    if value is None:
        return None  # DRF's allow_null decides
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else invalid
    if isinstance(field, serializers.ListField) and isinstance(field.child, serializers.CharField) \
            and isinstance(value, list):
        items = {index: invalid for index, item in enumerate(value) if item is not None and not isinstance(item, str)}
        return items or None
    return None


# No docstrings on these classes: drf-spectacular would publish a base's docstring as the
# description of every schema component without one of its own.
class StrictBodyMixin:
    # Refuses a non-string in a string field of the body with 400 ``invalid``, and a field the
    # serializer does not know with 400 ``unknown_field`` (module doc), beside DRF's own errors
    # for the other fields, so a form shows them all at once.
    def to_internal_value(self, data):
        strict = {}
        if isinstance(data, Mapping):
            for field in self.fields.values():
                if not field.read_only and field.field_name in data:
                    found = _string_errors(field, data[field.field_name])
                    if found:
                        strict[field.field_name] = found
            for name in data:
                if name not in self.fields:
                    strict[str(name)] = [ErrorDetail(UNKNOWN_FIELD, code="unknown_field")]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not strict or not isinstance(exc.detail, dict):
                raise
            merged = dict(exc.detail)
            for name, found in strict.items():
                if isinstance(found, dict) and isinstance(merged.get(name), dict):
                    merged[name] = {**merged[name], **found}
                else:
                    merged[name] = found
            raise serializers.ValidationError(merged) from None
        if strict:
            raise serializers.ValidationError(strict)
        return value


class Serializer(StrictBodyMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictBodyMixin, serializers.ModelSerializer):
    pass
