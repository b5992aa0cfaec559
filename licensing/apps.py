from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "licensing"
    verbose_name = _("Licensing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from licensing.gates import register_gate
        from licensing.services.approve_proposals import proposal_gate

        # Art. 6.3(g): an approval that would overwrite records changed since the application
        # proposed its change waits for the officer to review it again.
        register_gate("application.approve", proposal_gate)
