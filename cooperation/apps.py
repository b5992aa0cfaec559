from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    """Cooperation with other Parties: the directory of their competent authorities (Art. 22.1),
    to which the API's partner clients belong; assistance cases (Art. 21, 28) and the register
    of disclosures (Art. 5, 22.2); free zones and transit notices (Art. 12). Above
    ``inspections``, below ``api`` (DESIGN.md): it reads the apps below it and none of them
    imports it."""

    name = "cooperation"
    verbose_name = _("Cooperation with other Parties")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cooperation import controls, receivers  # noqa: F401  (exports write disclosures)
        from cooperation.dashboard import register
        from cooperation.demo import on_demo_loaded
        from licensing.signals import demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="cooperation.demo_loaded")
        register()
        controls.register()
