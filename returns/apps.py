from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    """Licensees' periodic returns after the licence (Art. 7.1(b), 9.1, 9.2, 10): what they
    produced, moved, sold and held, from whom, to whom, paid how. May import licensing and
    equipment; the checks on a return live in duediligence, which imports this app."""

    name = "returns"
    verbose_name = _("Periodic returns")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from licensing.signals import demo_loaded
        from returns.demo import on_demo_loaded

        demo_loaded.connect(on_demo_loaded, dispatch_uid="returns.demo_loaded")

    def demo_stories(self, world: Any) -> list[Any]:
        """This app's part of the demo world, for the core's story runner."""
        from returns.demo import stories

        return stories(world)
