from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.views import healthz
from resolutionflow.api.asyncapi import AsyncApiView
from resolutionflow.api.handlers import api_path_not_found

DOCS_CSP = {**settings.CSP_POLICY, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE], "worker-src": [CSP.SELF, "blob:"]} \
    if settings.SECURE_CSP else {}

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("sessions_app.api.urls")),
    path("", include("handoffs.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The websockets' messages, in AsyncAPI 3.0 (resolutionflow/api/asyncapi.py): public like the schema.
    path("asyncapi.json", AsyncApiView.as_view(), name="asyncapi"),
    # The split view serves Swagger UI's start-up script as a file (no inline script). Both
    # viewers insert <style> elements as they render: inline styles are allowed on these two
    # pages only; scripts stay 'self'.
    path("docs/", csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("redoc/", csp_override(DOCS_CSP)(SpectacularRedocView.as_view(url_name="schema",
                                                                     template_name="api/redoc.html")),
         name="api-redoc"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # Anything else under /api/ is the JSON 404, also with DEBUG on (make run).
    re_path(r"^api/", api_path_not_found, name="api_not_found"),
    path("", include("accounts.urls")),
    path("", include("sessions_app.urls")),
    path("", include("handoffs.urls")),
]

handler400 = "resolutionflow.api.handlers.bad_request"
handler403 = "resolutionflow.api.handlers.permission_denied"
handler404 = "resolutionflow.api.handlers.page_not_found"
handler500 = "resolutionflow.api.handlers.server_error"
