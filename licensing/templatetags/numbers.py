"""``{% load numbers %}{{ value|quantity }}``: a quantity in the reader's language, grouped in
thousands and without trailing zeros (3 600 000 in nb and hu, 3,600,000 in en; 12,5 kg)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def quantity(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # normalize() writes 3600000 as 3.6E+6: quantize back to the integer when it is one.
    exact = number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    return number_format(exact, use_l10n=True, force_grouping=True)
