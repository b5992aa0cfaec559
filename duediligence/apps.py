from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DueDiligenceConfig(AppConfig):
    """Checks on applications and parties (Art. 6.3(b), 6.3(d), 7, 10). May import licensing."""

    name = "duediligence"
    verbose_name = _("Due diligence")
    default_auto_field = "django.db.models.BigAutoField"
