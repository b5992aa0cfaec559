from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The HTTP API for the competent authorities of other Parties (Art. 21.1(a), (e)): partner
    authorities as OAuth2 clients with scopes, licences and their change feed, parties by their
    identifiers, machines, seizure cases both ways, and signed notifications of licence changes.
    On top of every app: it reads them all and no app imports it (DESIGN.md)."""

    name = "api"
    verbose_name = _("API for other authorities")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api import admin_cleanup, admin_subscriptions, checks, receivers, schema  # noqa: F401

        admin_cleanup.hide_oauth_models()

        from api.demo import on_demo_loaded
        from licensing.signals import demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="api.demo_loaded")
