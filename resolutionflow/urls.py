from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts.views import healthz

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("sessions_app.api.urls")),
    path("", include("handoffs.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("accounts.urls")),
    path("", include("sessions_app.urls")),
    path("", include("handoffs.urls")),
]

handler400 = "resolutionflow.api.handlers.bad_request"
handler403 = "resolutionflow.api.handlers.permission_denied"
handler404 = "resolutionflow.api.handlers.page_not_found"
handler500 = "resolutionflow.api.handlers.server_error"
