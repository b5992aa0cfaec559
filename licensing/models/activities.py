"""The activities a licence covers (Art. 6.1 must be licensed; Art. 6.2 should be)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext_lazy as _


class Activity(models.TextChoices):
    # Art. 6.1(a)
    MANUFACTURE_PRODUCTS = "manufacture_products", _("manufacture of tobacco products")
    MANUFACTURE_EQUIPMENT = "manufacture_equipment", _("manufacture of manufacturing equipment")
    # Art. 6.1(b)
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")
    # Art. 6.2(a)-(d)
    RETAIL = "retail", _("retailing")
    GROWING = "growing", _("growing of tobacco")
    TRANSPORT = "transport", _("transporting commercial quantities")
    WHOLESALE = "wholesale", _("wholesaling")
    BROKERING = "brokering", _("brokering")
    WAREHOUSING = "warehousing", _("warehousing")
    DISTRIBUTION = "distribution", _("distribution")


MANUFACTURING = frozenset({Activity.MANUFACTURE_PRODUCTS, Activity.MANUFACTURE_EQUIPMENT})
# Art. 6.2(b), (c), 12.3: who moves goods through the territory for others, and notifies transits.
TRANSIT_ACTIVITIES = frozenset({Activity.TRANSPORT, Activity.BROKERING})
# The codes, listed once: ``Activity.values`` builds its list anew at each use.
CODES = tuple(Activity.values)


def validate_activities(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one activity."))
    unknown = [v for v in value if v not in CODES]
    if unknown:
        raise ValidationError(
            _("Unknown activity: %(codes)s"), params={"codes": ", ".join(map(str, unknown))}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each activity may be chosen once."))


def with_any_activity(codes: Iterable[str]) -> models.Q:
    """Licences whose activities include any of ``codes``: a JSON containment on PostgreSQL;
    on SQLite, which has none, the code as it stands quoted in the stored JSON text (the codes
    are a closed list, none a part of another's quoted form)."""
    found = models.Q()
    for code in sorted(codes):
        if connection.features.supports_json_field_contains:
            found |= models.Q(activities__contains=[code])
        else:
            found |= models.Q(activities__icontains=f'"{code}"')
    return found


def activity_labels(codes: list[str]) -> list[str]:
    labels = dict(Activity.choices)
    return [str(labels.get(code, code)) for code in codes]
