"""The few reads written as SQL (issue 9: a page's item counts and live escalations, where the
ORM's Python cost more than the statement) bind their id lists the same way, here."""

from django.db import connection


def bound_values(field, values) -> tuple[str, dict]:
    """``(marks, by_db_value)`` for ``column IN (marks)`` over ``values`` of the model ``field``
    (e.g. a primary key): ``marks`` is ``"%s, %s, …"``, one per distinct value, and
    ``by_db_value`` maps each value as bound to the value (``list(by_db_value)`` are the
    parameters, in order). A column comes back as it was bound (text on SQLite, a UUID on
    PostgreSQL), so ``by_db_value[returned]`` is the value again."""
    by_db_value = {field.get_db_prep_value(value, connection): value for value in values}
    return ", ".join(["%s"] * len(by_db_value)), by_db_value
