from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Inspections and periodic audits (Art. 6.3(e)). Above ``equipment`` and ``duediligence``:
    an inspection verifies machines against the register and is planned by the due-diligence
    risk, so it may import both (and the core); none of them imports it."""

    name = "inspections"
    verbose_name = _("Inspections")
    default_auto_field = "django.db.models.BigAutoField"

    def demo_stories(self, world: Any) -> list[Any]:
        from inspections.demo import stories

        return stories(world)

    def ready(self) -> None:
        from inspections import admin_panels  # noqa: F401  (the licence page panel)
