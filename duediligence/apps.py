from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DueDiligenceConfig(AppConfig):
    """Checks on applications and parties (Art. 6.3(b), 6.3(d), 7, 10, 18). May import
    licensing, equipment, returns and seizures."""

    name = "duediligence"
    verbose_name = _("Due diligence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from duediligence import receivers
        from duediligence.gate import approval_gate
        from duediligence.services.reviews import reviews_on_trail
        from duediligence.sources import register_builtin_sources
        from licensing.gates import register_gate
        from licensing.trail import register_trail_source

        register_builtin_sources()
        # Art. 6.3(d): no licence is granted before the due diligence is done.
        register_gate("application.approve", approval_gate)
        # The review's events on the application's audit trail, for officers who see reviews.
        register_trail_source("licensing.application", reviews_on_trail)
        receivers.connect()
        from duediligence import report_wiring

        report_wiring.connect()
        from duediligence import seizure_wiring

        seizure_wiring.connect()
