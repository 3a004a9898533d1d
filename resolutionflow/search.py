"""Free-text search, one rule for every search box and ``q`` parameter (Session History's
page and API, the queue's page and API, the runbook library's API): each word of the query
must appear, in any case and in any order, in at least one of the searched fields. A
technician types "outlook password" for the session titled "Outlook keeps asking for
password"; matching the whole string as one substring found nothing there."""

from django.db.models import Q

# The longest search accepted (characters), by the pages' forms and the API's filters alike.
SEARCH_MAX_LENGTH = 200
# The words of a search that count (each is one more condition on every searched field); a
# technician's search has two to five.
MAX_SEARCH_WORDS = 12


def search_words(q: str | None) -> list[str]:
    """The words of ``q`` a search uses: in order, each once (case-insensitively), a word
    contained in another one left out (it adds nothing: "out" in "outlook"), at most
    ``MAX_SEARCH_WORDS``. "a a a …" made 500 ``LIKE`` conditions (0.6 s on SQLite)."""
    words: list[str] = []
    for word in (q or "").split():
        folded = word.casefold()
        if any(folded in other.casefold() for other in words):
            continue
        words = [other for other in words if other.casefold() not in folded] + [word]
    return words[:MAX_SEARCH_WORDS]


def every_word(queryset, q: str | None, fields: tuple[str, ...]):
    """``queryset`` narrowed to rows where every word of ``q`` (``search_words``) is contained
    (``icontains``) in at least one of ``fields`` (lookups such as ``"session__title"`` follow
    relations). An empty or blank ``q`` leaves it as it is."""
    for word in search_words(q):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
