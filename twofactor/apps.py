from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Second factor")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from licensing.signals import demo_loaded
        from twofactor.demo import on_demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="twofactor.demo_loaded")
