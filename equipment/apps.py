from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EquipmentConfig(AppConfig):
    """The manufacturing-equipment register (Art. 6.3(h), 6.3(i), 18). May import licensing."""

    name = "equipment"
    verbose_name = _("Manufacturing equipment")
    default_auto_field = "django.db.models.BigAutoField"

    def demo_stories(self, world: Any) -> list[Any]:
        """This app's part of the demo world, for the core's story runner."""
        from equipment.demo import stories

        return stories(world)

    def ready(self) -> None:
        from equipment import signals  # noqa: F401  (connects the receivers)
        from equipment.services import codes  # noqa: F401  (the machine codes' cascade)
