"""The command palette's data for API clients: what the page's palette offers this user."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountMember
from sessions_app import selectors
from sessions_app.models import TroubleshootingSession
from sessions_app.views.palette import palette_list

from ..serializers import PaletteSerializer


class PaletteViewSet(ScopedGenericViewSet):
    """``GET palette/``: the list ``/palette.json`` gives the page (``palette_list``: the
    sessions app's entries and the ``palette_items`` signal's), for any member of the account."""

    model = TroubleshootingSession  # names the model for describing the API; the list is palette_list's
    action_permissions = {"retrieve": [IsAccountMember]}

    def scoped_queryset(self, *, account):
        return selectors.session_list(account=account)

    @extend_schema(responses={200: PaletteSerializer}, tags=["sessions"],
                   summary="What the command palette can open for the caller (pages, runbooks, recent sessions, "
                           "open escalations)")
    def retrieve(self, request, *args, **kwargs):
        return Response(PaletteSerializer({"items": palette_list(request.user)}).data)
