"""Free-text search, one rule for every search box and ``q`` parameter (Session History's
page and API, the queue's page and API, the runbook library's API): each word of the query
must appear, in any case and in any order, in at least one of the searched fields. A
technician types "outlook password" for the session titled "Outlook keeps asking for
password"; matching the whole string as one substring found nothing there."""

from django.db.models import Q

# The longest search accepted (characters), by the pages' forms and the API's filters alike.
SEARCH_MAX_LENGTH = 200


def every_word(queryset, q: str | None, fields: tuple[str, ...]):
    """``queryset`` narrowed to rows where every whitespace-separated word of ``q`` is
    contained (``icontains``) in at least one of ``fields`` (lookups such as
    ``"session__title"`` follow relations). An empty or blank ``q`` leaves it as it is."""
    for word in (q or "").split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
