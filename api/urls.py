"""``/api/v1/``: the token endpoint, the resources, the schema and its reference page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView

from api.views.base import NoSuchEndpoint
from api.views.licences import LicenceChangesView, LicenceHistoryView, LicenceView
from api.views.registry import (
    MachinesView,
    MachineView,
    PartiesByRegistrationView,
    PartiesByTaxNumberView,
)
from api.views.seizures import SeizuresView, SeizureView
from api.views.subscriptions import (
    DeliveriesView,
    SigningKeysView,
    SubscriptionsView,
    SubscriptionView,
)
from licensing.ratelimit import ratelimit

app_name = "api"

urlpatterns = [
    # OAuth2 client credentials (RFC 6749, 4.4): POST grant_type, client_id, client_secret.
    # Limited per address, so that nobody tries secrets at speed (RATE_LIMITS["api_token"]).
    path("token/", ratelimit("api_token", as_json=True)(TokenView.as_view()), name="token"),
    path("licences/", LicenceChangesView.as_view(), name="licence-changes"),
    path("licences/<str:number>/", LicenceView.as_view(), name="licence"),
    path("licences/<str:number>/history/", LicenceHistoryView.as_view(), name="licence-history"),
    path(
        "parties/by-registration-number/<str:number>/",
        PartiesByRegistrationView.as_view(),
        name="parties-by-registration-number",
    ),
    path(
        "parties/by-tax-number/<str:number>/",
        PartiesByTaxNumberView.as_view(),
        name="parties-by-tax-number",
    ),
    path("machines/", MachinesView.as_view(), name="machines"),
    path("machines/<str:identifier>/", MachineView.as_view(), name="machine"),
    path("seizures/", SeizuresView.as_view(), name="seizures"),
    path("seizures/<str:reference>/", SeizureView.as_view(), name="seizure"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "schema/reference/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema"),
        name="reference",
    ),
    path("subscriptions/", SubscriptionsView.as_view(), name="subscriptions"),
    path("subscriptions/<int:pk>/", SubscriptionView.as_view(), name="subscription"),
    path(
        "subscriptions/<int:pk>/deliveries/",
        DeliveriesView.as_view(),
        name="subscription-deliveries",
    ),
    path("signing-keys/", SigningKeysView.as_view(), name="signing-keys"),
    # Other paths of the notifications (subscriptions, signing keys) go above this line.
    re_path(r"^.*$", NoSuchEndpoint.as_view(), name="no-such-endpoint"),
]
