"""What the API answers in: JSON, always (``settings.REST_FRAMEWORK``'s renderers).

A frontend on another origin, a script and a browser all get the same JSON objects, errors
included (``{"detail", "code"}``): DRF's browsable HTML pages are not served (the
interactive documentation is Swagger UI at ``/api/v1/docs/``). ``?format=`` may name JSON;
any other format is a 400 ``unknown_format``, not DRF's 404,
which read as "no such object". An ``Accept`` header that leaves JSON out (``text/html``
alone) still gets JSON, as HTTP lets a server disregard it (RFC 9110, 12.5.1), rather than a
406 that no operation of the schema declares and no client of ours could use.
"""

from rest_framework import status
from rest_framework.exceptions import APIException, NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class UnknownFormat(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unknown_format"


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        """The renderers of ``format`` (e.g. ``json``); raises ``UnknownFormat`` (400,
        ``unknown_format``) when the view has none."""
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            offered = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise UnknownFormat(f"The API answers in {offered} only: there is no format {format!r}.")
        return matching

    def select_renderer(self, request, renderers, format_suffix=None):
        """``(renderer, media type)``: what ``Accept`` asks for among ``renderers``, or the first
        of them (JSON) when it asks for none of them; raises ``UnknownFormat`` (400) for an
        unknown ``?format=``."""
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type
