"""The operations endpoints. The paths are fixed, at the site's root, as probes expect."""

from django.urls import path

from ops import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]

# Answered by ops.middleware.OpsEndpointsMiddleware before the rest of the middleware.
ENDPOINTS = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics_view}
