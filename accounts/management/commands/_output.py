"""Shared by the pilot-setup commands: turn a service's refusal into a CommandError."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from accounts.errors import ServiceError


@contextmanager
def refusals_as_command_errors():
    """A ServiceError or ValidationError (a weak password, an unknown time zone) becomes a
    CommandError with the service's own words, so manage.py prints it without a traceback."""
    try:
        yield
    except ServiceError as exc:
        raise CommandError(exc.detail) from exc
    except ValidationError as exc:
        raise CommandError(" ".join(_messages(exc))) from exc


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {message}" if name != "__all__" else message
                for name, errors in exc.message_dict.items() for message in errors]
    return exc.messages
