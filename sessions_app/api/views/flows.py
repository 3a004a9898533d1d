"""The flow library of the account: its own flows and the shared starter library.

Everyone in the account lists and reads them; admins create, edit and import the account's
own. The shared library is read-only to accounts (403 ``library_flow_read_only``, not 404:
the flow is visible to them); an account replaces a library flow by creating or importing
one with the same slug, which then shadows it.
"""

from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.base import ScopedGenericViewSet
from accounts.permissions import IsAccountAdmin, IsAccountMember
from resolutionflow.api.parsers import JSONParser
from resolutionflow.api.schema import conflict
from sessions_app import services
from sessions_app.flows.library import export_flow
from sessions_app.models import Flow

from ..filters import FlowFilter
from ..serializers import (
    FlowCreateSerializer,
    FlowDocumentSerializer,
    FlowExportSerializer,
    FlowSerializer,
    FlowSummarySerializer,
    FlowUpdateSerializer,
    ImportReportSerializer,
)

INVALID_FLOW = OpenApiResponse(description="The graph (or a document) is not valid: `errors` lists every problem.")


@extend_schema_view(
    list=extend_schema(summary="Runbooks the account may run: its own and the starter library"),
    retrieve=extend_schema(summary="One runbook, with its graph of steps"),
)
class FlowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    model = Flow
    serializer_class = FlowSerializer
    filterset_class = FlowFilter
    action_permissions = {
        "list": [IsAccountMember],
        "retrieve": [IsAccountMember],
        "export": [IsAccountMember],
        "create": [IsAccountAdmin],
        "partial_update": [IsAccountAdmin],
        "import_flows": [IsAccountAdmin],
    }

    def scoped_queryset(self, *, account):
        # Switched-off flows are found by id (so admins can switch them back on); the list
        # hides them unless asked (FlowFilter).
        return Flow.objects.available_to(account, include_inactive=True)

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.defer("graph") if self.action == "list" else queryset

    def get_serializer_class(self):
        return FlowSummarySerializer if self.action == "list" else FlowSerializer

    def filter_queryset(self, queryset):
        # The filters shape the list; a flow addressed by id is found whatever the query string.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(request=FlowCreateSerializer, responses={
        201: FlowSerializer, 400: INVALID_FLOW,
        409: conflict("The account already has a flow with this slug (`duplicate_slug`).")},
                   summary="Add a runbook to the account (admins)")
    def create(self, request, *args, **kwargs):
        serializer = FlowCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flow = services.flow_create(account=self.account, actor=request.user, **serializer.validated_data)
        return Response(FlowSerializer(flow).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FlowUpdateSerializer,
        responses={200: FlowSerializer, 400: INVALID_FLOW,
                   403: OpenApiResponse(description="Not an admin, or a starter-library flow "
                                                    "(`library_flow_read_only`).")},
        summary="Edit one of the account's runbooks (admins); content changes raise the version",
    )
    def partial_update(self, request, *args, **kwargs):
        flow = self.get_object()
        serializer = FlowUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flow = services.flow_update(flow=flow, actor=request.user, **serializer.validated_data)
        return Response(FlowSerializer(flow).data)

    @extend_schema(responses={200: FlowExportSerializer}, summary="The runbook as a document to edit and import")
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        return Response(export_flow(self.get_object()))

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="FlowImport", resource_type_field_name=None, many=False,
            serializers=[FlowDocumentSerializer, FlowDocumentSerializer(many=True)],
        ),
        responses={200: ImportReportSerializer, 400: INVALID_FLOW},
        summary="Import one flow document or a list of them into the account (admins)",
        description="Idempotent by slug and version: a new slug is created, a higher version updates, the "
                    "same version and content is unchanged; an older version, or the same version with other "
                    "content, is skipped with the reason. All or nothing: one invalid document refuses the "
                    "import with every problem listed.",
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[JSONParser])
    def import_flows(self, request):
        documents = request.data if isinstance(request.data, list) else [request.data]
        report = services.flow_import(account=self.account, actor=request.user, documents=documents)
        body = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                "skipped": report.skipped, "summary": report.summary()}
        return Response(ImportReportSerializer(body).data)
