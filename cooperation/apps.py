from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    """Cooperation with other Parties (issue 23): the directory of their competent authorities
    (Art. 22.1), to which the API's partner clients belong. Above ``inspections``, below
    ``api`` (DESIGN.md): it reads the apps below it and none of them imports it."""

    name = "cooperation"
    verbose_name = _("Cooperation with other Parties")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cooperation.demo import on_demo_loaded
        from licensing.signals import demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="cooperation.demo_loaded")
