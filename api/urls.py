"""``/api/v1/``: the token endpoint, the resources, the schema and its reference page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from api.views.base import NoSuchEndpoint

app_name = "api"

urlpatterns = [
    # OAuth2 client credentials (RFC 6749, 4.4): POST grant_type, client_id, client_secret.
    path("token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/reference/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="reference",
    ),
    re_path(r"^.*$", NoSuchEndpoint.as_view(), name="no-such-endpoint"),
]
