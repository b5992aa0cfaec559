from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeizuresConfig(AppConfig):
    """Seizure cases and confiscated machines, parts, tobacco and products (Art. 18, 21.1(e)):
    what was seized, from whom, where it is kept (the custody chain) and how it left (released
    by court order, or destroyed under a supervised destruction order). Above ``equipment`` and
    ``returns``, below ``duediligence`` (which reads seizures into screening and the risk
    score) and ``inspections`` (whose finding of an unknown machine opens a case)."""

    name = "seizures"
    verbose_name = _("Seizures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from seizures import receivers  # noqa: F401  (destruction orders certified or cancelled)
        from seizures.dashboard import register

        register()

    def demo_stories(self, world: Any) -> list[Any]:
        from seizures.demo import stories

        return stories(world)
