from rest_framework import pagination
from rest_framework.exceptions import NotFound

from .filters import query_int

MAX_PAGE = 1_000_000


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` (at most 200); responses carry count, next, previous, results.

    A page or page size that is not a whole number in range is 400 ``invalid_filter``
    (naming it); a page past the end is 404 ``not_found``."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        size = query_int(request, self.page_size_query_param, low=1, high=self.max_page_size)
        return size if size is not None else self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param) not in self.last_page_strings:
            query_int(request, self.page_query_param, low=1, high=MAX_PAGE)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound("There is no such page.", code="not_found") from None
